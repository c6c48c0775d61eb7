import type { NodeMessage } from 'node-red';

/** The Express response `http in` puts on a message (msg.res wraps it as `_res`). */
type HttpResponse = { headersSent: boolean; status(code: number): HttpResponse; json(body: unknown): void };

/**
 * Answer the HTTP request a message came from, without the flow: for when the flow cannot any more
 * (it is being redeployed, and the http response node is already gone). False when there is nothing
 * to answer or it was answered already.
 */
export function answerDirectly(msg: NodeMessage, statusCode: number, body: unknown): boolean {
  const res = (msg.res as { _res?: HttpResponse } | undefined)?._res;
  if (!res || res.headersSent) return false;
  res.status(statusCode).json(body);
  return true;
}

/** What nodes read of the Express request `http in` puts on a message. */
export type HttpRequestLike = { params?: Record<string, string>; query?: Record<string, unknown>; headers?: Record<string, string | string[] | undefined> };

export function httpRequestOf(msg: NodeMessage): HttpRequestLike | undefined {
  return msg.req as HttpRequestLike | undefined;
}

/** msg.payload as an object of parameters (an http in GET puts the query there), else an empty one. */
export function payloadParams(msg: NodeMessage): Record<string, unknown> {
  return msg.payload !== null && typeof msg.payload === 'object' && !Buffer.isBuffer(msg.payload) ? (msg.payload as Record<string, unknown>) : {};
}

/** The request a message names: a route's `:id`, else `msg.payload.id`. */
export function requestIdOf(msg: NodeMessage): unknown {
  return httpRequestOf(msg)?.params?.id ?? payloadParams(msg).id;
}

/**
 * Answers sent into the flow that its http response has not written yet. A redeploy stops every node
 * at once and Node-RED drops messages to stopped nodes, so an answer sent just before can be lost
 * although the event was stored: on close they are written here instead (after a moment, in case the
 * http response still runs and writes them itself).
 */
export class AnswersInFlight {
  private readonly pending = new Map<NodeMessage, { statusCode: number; body: unknown }>();

  /** Keep `msg`'s answer until its response is written. */
  track(msg: NodeMessage): void {
    const res = (msg.res as { _res?: HttpResponse & { once(event: 'finish' | 'close', fn: () => void): void } } | undefined)?._res;
    if (!res || res.headersSent) return;
    this.pending.set(msg, { statusCode: Number(msg.statusCode) || 200, body: msg.payload });
    const done = () => this.pending.delete(msg);
    res.once('finish', done);
    res.once('close', done);
  }

  async flush(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    for (const [msg, { statusCode, body }] of this.pending) answerDirectly(msg, statusCode, body);
    this.pending.clear();
  }
}
