import { createServer, request, type RequestListener, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** A real listening server for an Express app (the helper's RED.httpNode is not listening itself). */
export async function listen(app: RequestListener): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** How much of the body had been sent when the answer came. */
  sentWhenAnswered: number;
  /* status 0: the server closed the connection while the body was being sent, before its answer was read. */
}

/**
 * A POST whose body is sent the way a test needs: `declared` bytes announced and `send` bytes of them
 * written (slowly, in 64 KB chunks), or chunked (`declared` undefined). Resolves with the answer as
 * soon as it arrives, whatever is still unsent.
 */
export function rawPost(url: string, headers: Record<string, string>, body: { declared?: number; send: number } | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        ...headers,
        ...(Buffer.isBuffer(body) ? { 'content-length': String(body.length) } : body.declared !== undefined ? { 'content-length': String(body.declared) } : {}),
      },
    });
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const sentWhenAnswered = sent;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), sentWhenAnswered });
        req.destroy();
      });
    });
    // The server closing the connection on an unread body is expected once it answered; writing on
    // may fail first (EPIPE) while its answer is still on the way.
    req.on('error', (err: Error & { code?: string }) => {
      if (answered) return;
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') return reject(err);
      setTimeout(() => (answered ? undefined : resolve({ status: 0, headers: {}, body: '', sentWhenAnswered: sent })), 200);
    });
    if (Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    req.flushHeaders();
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = () => {
      if (answered || req.destroyed) return;
      if (sent >= body.send) return; // hold the rest: the answer must not wait for it
      sent += chunk.length;
      req.write(chunk, () => setImmediate(pump));
    };
    pump();
  });
}
