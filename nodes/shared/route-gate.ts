import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node, NodeDef } from 'node-red';
import { actingRefusal, actorOf, ACTING_BODY_LIMIT, type ActingPolicy } from '../../lib/acting-access';
import { MAX_BODY_BYTES } from '../../lib/services/webhooks';
import { refusal } from '../../lib/webhook-secret';
import { withMiddleware } from './middleware';
import type { RED } from './red';

/**
 * The gate of the `http in` routes wired straight into a node of this package that takes what they
 * bring: webhooks (into arr-webhook-parse) and acting routes (into media-action, media-sync,
 * qbit-progress, jellyfin-verify). Node-RED would read a body before any check (the editor's JSON
 * parser runs first on every path, "don't parse body" reads it whole at the very top), so the gate
 * works in two steps:
 * 1. First of all, on headers alone: what the route's rule refuses (a webhook without its secret, a
 *    browser's request from another site, an action without a credential or not JSON), or a body
 *    declared larger than the rule allows (413), is answered at once; an admitted request is claimed,
 *    so no parser on the way reads it, and limited: past its size it is refused with 413 and the
 *    connection closed, the rest unread.
 * 2. After httpNodeAuth, and after settings.js's httpNodeMiddleware (so an unauthenticated request
 *    costs no body reading either way): the body is read and handed to http in as the rule makes it
 *    (a webhook's raw bytes, which the parser turns into an event or a precise 400; an action's JSON).
 *
 * It also answers the requests a redeploy would leave hanging: Node-RED drops messages to stopped
 * nodes, so a request in flight when its nodes stopped gets a 503 ("not done") once the flows have
 * stopped, unless the flow answered it.
 */

type Req = IncomingMessage & { body?: unknown; _body?: boolean; user?: unknown; [CLAIMED]?: true; [ACTOR]?: string };
type Res = ServerResponse;
type Next = (err?: unknown) => void;
type Handler = (req: Req, res: Res, next: Next) => void;
type Layer = { handle: unknown };
type App = { use(fn: Handler): void; path?: () => string; parent?: App; _router?: { stack: Layer[] } };

const CLAIMED = Symbol('media-status gate');
const ACTOR = Symbol('media-status actor');

type Answer = { statusCode: number; error: string };

/** What a kind of route admits, and how its body reaches http in. */
interface GateRule {
  maxBytes: number;
  /** On headers alone, before a byte of the body is read. */
  refuse(req: { method?: string; headers: Req['headers']; query: Record<string, string> }): Answer | undefined;
  /** After Node-RED's authentication: the body http in hands over, or why not. */
  accept(raw: Buffer, req: Req): { body: unknown } | Answer;
  /** What a request in flight is told when a redeploy stopped its nodes. */
  interrupted: string;
}

interface Gate {
  /** The httpNode app whose routes it guards. */
  app: object;
  /** The node that set it. */
  nodeId: string;
  /** The http in nodes wired into it. */
  httpInIds: string[];
  method: string;
  path: RegExp;
  rule: GateRule;
  /** Requests it let in that nobody has answered yet. */
  open: Set<Res>;
}

/** How long a refused request's connection stays half-open after its answer. */
const LINGER_MS = 2000;

/**
 * Close after the answer without losing it. A socket closed while its body is still arriving resets
 * the connection, and a client busy sending can see the reset (EPIPE) before it reads the answer; so
 * the answer is followed by our end of the connection only, and the rest of the body is left unread
 * (the client's writes wait while it reads the answer) until the client closes, for at most LINGER_MS.
 * Not read: Node drains an unread body after the answer, and twenty 150 MB bodies drained at once
 * cost tens of MB.
 */
function lingerAfter(res: Res): void {
  const socket = res.socket as (Res['socket'] & { destroySoon?: () => void }) | null;
  if (!socket) return;
  socket.destroySoon = () => {
    socket.end();
    res.req.pause();
    socket.pause();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}

function send(res: Res, statusCode: number, body: unknown, close = false): void {
  if (res.headersSent) return;
  res.statusCode = statusCode;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  if (close) {
    res.setHeader('connection', 'close');
    lingerAfter(res);
  }
  res.end(JSON.stringify(body));
}

/** The request comes with a body (a length above 0, or chunks). */
function hasBody(req: Req): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

/** An http in URL as Express matches it: `:param` is one segment, `*` anything, a trailing slash optional, any case. */
export function routePattern(url: string): RegExp {
  const path = url.startsWith('/') ? url : `/${url}`;
  const pattern = path
    .replace(/\/+$/, '')
    .split(/(:[A-Za-z0-9_]+\??|\*)/)
    .map((part) => (part === '*' ? '.*' : /^:/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}/?$`, 'i');
}

/**
 * Past `max` bytes the request is refused (413, connection closed) and nothing more reaches whoever
 * reads it: it never completes, so nothing answers it twice, and it is let go with its socket.
 */
function limitBody(req: Req, res: Res, max: number): void {
  const emit = req.emit.bind(req);
  let size = 0;
  let refused = false;
  req.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (refused) return event === 'close' ? emit(event, ...args) : false;
    if (event === 'data') {
      size += (args[0] as Buffer).length;
      if (size > max) {
        refused = true;
        req.pause();
        send(res, 413, { ok: false, error: `body: larger than ${max} bytes` }, true);
        return false;
      }
    }
    return emit(event, ...args);
  }) as typeof req.emit;
}

function readAll(req: Req): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function rootOf(app: App): App {
  return app.parent ? rootOf(app.parent) : app;
}

/** Move the layer of `handler` to `index` in an app's stack. */
function place(app: App, handler: Handler, index: number): void {
  const stack = app._router?.stack ?? [];
  const at = stack.findIndex((layer) => layer.handle === handler);
  if (at >= 0 && at !== index) stack.splice(index, 0, ...stack.splice(at, 1));
}

/** Every gate set, of every httpNode app (the test helper makes one per flow it loads). */
const gates: Gate[] = [];
/** Gates of closed nodes: their open requests are answered once the flows have stopped. */
const orphans: Gate[] = [];
const installed = new WeakSet<object>();
const listening = new WeakSet<object>();

function install(RED: RED): App {
  const app = RED.httpNode as unknown as App;
  if (installed.has(app)) return app;
  installed.add(app);
  const prefix = (typeof app.path === 'function' ? app.path() : '').replace(/\/+$/, '');

  const admit: Handler = (req, res, next) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const pathname = query < 0 ? url : url.slice(0, query);
    if (!pathname.startsWith(prefix)) return next();
    const path = pathname.slice(prefix.length) || '/';
    const mine = gates.filter((g) => g.app === app && g.method === req.method && g.path.test(path));
    if (!mine.length) return next();
    // Before Express has parsed the query: a webhook's secret may come as ?token=.
    const presented = { method: req.method, headers: req.headers, query: query < 0 ? {} : Object.fromEntries(new URLSearchParams(url.slice(query + 1))) };
    for (const g of mine) {
      const refused = g.rule.refuse(presented);
      // A refused request's body is never read: its connection closes with the answer.
      if (refused) return send(res, refused.statusCode, { ok: false, error: refused.error }, hasBody(req));
    }
    const maxBytes = Math.min(...mine.map((g) => g.rule.maxBytes));
    if (Number(req.headers['content-length']) > maxBytes) return send(res, 413, { ok: false, error: `body: larger than ${maxBytes} bytes` }, true);
    limitBody(req, res, maxBytes);
    // Claimed: the parsers on the way (the editor's JSON parser, http in's own) leave it to `read`.
    req._body = true;
    req[CLAIMED] = true;
    for (const g of mine) {
      g.open.add(res);
      res.on('close', () => g.open.delete(res));
    }
    next();
  };

  const guarded = withMiddleware(RED.settings.httpNodeMiddleware);
  const read: Handler = (req, res, next) => {
    // Not ours, or read already (an http in with "don't parse body" reads at the very top).
    if (!req[CLAIMED] || req.readableEnded) return next();
    const rule = gates.find((g) => g.open.has(res))?.rule;
    guarded(req, res, next, () =>
      readAll(req).then((raw) => {
        const accepted = rule ? rule.accept(raw, req) : { body: raw };
        if (!('body' in accepted)) return send(res, accepted.statusCode, { ok: false, error: accepted.error });
        req.body = accepted.body;
        next();
      }, next),
    );
  };

  const root = rootOf(app);
  root.use(admit);
  place(root, admit, 0);
  app.use(read);
  // After Express's own request setup, before every route.
  place(app, read, (app._router?.stack ?? []).findIndex((layer) => (layer.handle as { name?: string }).name === 'expressInit') + 1);

  if (listening.has(RED.events)) return app;
  listening.add(RED.events);
  RED.events.on('flows:stopped', (info: { type?: string; diff?: { changed?: string[]; removed?: string[]; linked?: string[]; rewired?: string[] } }) => {
    const stopped = new Set([...(info.diff?.changed ?? []), ...(info.diff?.removed ?? []), ...(info.diff?.linked ?? []), ...(info.diff?.rewired ?? [])]);
    for (const g of [...gates, ...orphans.splice(0)]) {
      if (info.type !== 'full' && !stopped.has(g.nodeId) && !g.httpInIds.some((id) => stopped.has(id))) continue;
      for (const res of g.open) send(res, 503, { ok: false, error: g.rule.interrupted });
      g.open.clear();
    }
  });
  return app;
}

/** Did a gate admit this request (its rule checked before the body was read)? */
export function admitted(req: unknown): boolean {
  return !!(req as Req | undefined)?.[CLAIMED];
}

/** Who an acting route's gate let act (after Node-RED's authentication), when a gate admitted the request. */
export function admittedActor(req: unknown): string | undefined {
  return (req as Req | undefined)?.[ACTOR];
}

/** Set `rule` on the routes of the http in nodes wired into `node`; returns them, and how to remove the gates. */
function guardRoutes(RED: RED, node: Node, rule: GateRule): { remove(): void; feeders: HttpInConfig[] } {
  const app = install(RED);
  // The http in nodes whose messages reach the node, straight or through others (a change node that
  // names the action): a node put between them must not open the route.
  const configs = new Map<string, HttpInConfig>();
  RED.nodes.eachNode((config) => void configs.set(config.id, config as HttpInConfig));
  const reaches = (from: HttpInConfig): boolean => {
    const seen = new Set<string>();
    const next = [...(from.wires ?? []).flat()];
    while (next.length) {
      const id = next.pop()!;
      if (id === node.id) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      next.push(...(configs.get(id)?.wires ?? []).flat());
    }
    return false;
  };
  const feeders = [...configs.values()].filter((n) => n.type === 'http in' && !!n.url && reaches(n));
  const added: Gate[] = feeders.map((n) => ({
    app,
    nodeId: node.id,
    httpInIds: [n.id],
    method: (n.method ?? 'post').toUpperCase(),
    path: routePattern(n.url!),
    rule,
    open: new Set(),
  }));
  gates.push(...added);
  return {
    feeders,
    remove() {
      for (const g of added) {
        gates.splice(gates.indexOf(g), 1);
        orphans.push(g);
      }
    },
  };
}

type HttpInConfig = NodeDef & { url?: string; method?: string; skipBodyParsing?: boolean; wires?: string[][] };

/**
 * The gate for the http in nodes wired into an arr-webhook-parse: the secret, never a browser without
 * it, 5 MB, the body as raw bytes. Returns how to remove it, and the http in nodes that read bodies
 * themselves ("don't parse body"), for a warning.
 */
export function guardWebhookRoutes(RED: RED, node: Node, secret: string): { remove(): void; rawBodyRoutes: string[] } {
  const { remove, feeders } = guardRoutes(RED, node, {
    maxBytes: MAX_BODY_BYTES,
    refuse: (req) => refusal(req, secret),
    accept: (raw) => ({ body: raw }),
    interrupted: 'not stored: Node-RED was redeploying this flow; send the webhook again',
  });
  return { remove, rawBodyRoutes: feeders.filter((n) => n.skipBodyParsing).map((n) => n.url!) };
}

/** Node-RED's HTTP nodes are behind settings.js's httpNodeAuth or httpNodeMiddleware. */
export function behindNodeAuth(RED: RED): boolean {
  const settings = RED.settings as unknown as { httpNodeAuth?: unknown; httpNodeMiddleware?: unknown };
  const middleware = settings.httpNodeMiddleware;
  return !!settings.httpNodeAuth || typeof middleware === 'function' || (Array.isArray(middleware) && middleware.some((m) => typeof m === 'function'));
}

/**
 * The gate for the http in nodes wired into a node that acts (media-action, media-sync, qbit-progress,
 * jellyfin-verify): see lib/acting-access.ts; the body (at most 64 KB) as parsed JSON, and who acted.
 */
export function guardActingRoutes(RED: RED, node: Node, policy: ActingPolicy): { remove(): void } {
  return guardRoutes(RED, node, {
    maxBytes: ACTING_BODY_LIMIT,
    refuse: (req) => actingRefusal(req, policy),
    accept: (raw, req) => {
      const text = raw.toString('utf8').trim();
      let body: unknown = {};
      try {
        if (text) body = JSON.parse(text);
      } catch (err) {
        return { statusCode: 400, error: `body: not JSON (${(err as Error).message})` };
      }
      req[ACTOR] = actorOf(req, policy);
      return { body };
    },
    interrupted: 'not done: Node-RED was redeploying this flow; send it again',
  });
}

/**
 * Gate the http in routes wired into a node that acts (media-action; media-sync, qbit-progress and
 * jellyfin-verify, whose "sync now", "poll now" and "verify now" routes change the store), with the
 * policy of the store it uses (none selected: no token, so only Node-RED's own authentication lets
 * anyone act); removed when it closes.
 */
export function guardActingNode(RED: RED, node: Node, storeId: string | undefined): ActingPolicy {
  const store = storeId ? (RED.nodes.getNode(storeId) as { actingPolicy?: ActingPolicy } | null) : null;
  const policy = store?.actingPolicy ?? { token: '', nodeAuth: behindNodeAuth(RED) };
  const gate = guardActingRoutes(RED, node, policy);
  node.on('close', () => gate.remove());
  return policy;
}
