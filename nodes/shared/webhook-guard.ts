import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node, NodeDef } from 'node-red';
import { MAX_BODY_BYTES } from '../../lib/sources/parse';
import { refusal } from '../../lib/webhook-secret';
import { withMiddleware } from './middleware';
import type { RED } from './red';

/**
 * The webhook routes' gate, for every `http in` wired straight into an arr-webhook-parse. Node-RED
 * would read a body before any check (the editor's JSON parser runs first on every path, "don't parse
 * body" reads it whole at the very top), so the gate works in two steps:
 * 1. First of all, on headers alone: a webhook without its secret (401), from a browser (403), or
 *    declared larger than 5 MB (413) is refused; an admitted one is claimed, so no parser on the way
 *    reads it, and limited: past 5 MB it is refused with 413 and the connection closed, the rest unread.
 * 2. After httpNodeAuth, and after settings.js's httpNodeMiddleware (so an unauthenticated request
 *    costs no body reading either way): the body is read and handed to http in as raw bytes, which
 *    the parser turns into an event or a precise 400.
 *
 * It also answers the webhooks a redeploy would leave hanging: Node-RED drops messages to stopped
 * nodes, so a request in flight when its nodes stopped gets a 503 ("not stored") once the flows have
 * stopped, unless the flow answered it.
 */

type Req = IncomingMessage & { body?: unknown; _body?: boolean; [CLAIMED]?: true };
type Res = ServerResponse;
type Next = (err?: unknown) => void;
type Handler = (req: Req, res: Res, next: Next) => void;
type Layer = { handle: unknown };
type App = { use(fn: Handler): void; path?: () => string; parent?: App; _router?: { stack: Layer[] } };

const CLAIMED = Symbol('media-status webhook');

interface Gate {
  /** The httpNode app whose routes it guards. */
  app: object;
  /** The arr-webhook-parse node that set it. */
  nodeId: string;
  /** The http in nodes wired into it. */
  httpInIds: string[];
  method: string;
  path: RegExp;
  secret: string;
  /** Requests it let in that nobody has answered yet. */
  open: Set<Res>;
}

function send(res: Res, statusCode: number, body: unknown, close = false): void {
  if (res.headersSent) return;
  res.statusCode = statusCode;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  if (close) res.setHeader('connection', 'close');
  res.end(JSON.stringify(body));
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
    // Before Express has parsed the query: the secret may come as ?token=.
    const presented = { headers: req.headers, query: query < 0 ? {} : Object.fromEntries(new URLSearchParams(url.slice(query + 1))) };
    for (const g of mine) {
      const refused = refusal(presented, g.secret);
      if (refused) return send(res, refused.statusCode, { ok: false, error: refused.error });
    }
    if (Number(req.headers['content-length']) > MAX_BODY_BYTES) return send(res, 413, { ok: false, error: `body: larger than ${MAX_BODY_BYTES} bytes` }, true);
    limitBody(req, res, MAX_BODY_BYTES);
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
    guarded(req, res, next, () =>
      readAll(req).then((body) => {
        req.body = body;
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
      for (const res of g.open) send(res, 503, { ok: false, error: 'not stored: Node-RED was redeploying this flow; send the webhook again' });
      g.open.clear();
    }
  });
  return app;
}

/**
 * Set the gate for the http in nodes wired into `node` (an arr-webhook-parse). Returns how to remove
 * it, and the http in nodes that read bodies themselves ("don't parse body"), for a warning.
 */
/** Did the gate admit this request (its secret and origin checked already)? */
export function admitted(req: unknown): boolean {
  return !!(req as Req | undefined)?.[CLAIMED];
}

export function guardWebhookRoutes(RED: RED, node: Node, secret: string): { remove(): void; rawBodyRoutes: string[] } {
  const app = install(RED);
  const feeders: (NodeDef & { url?: string; method?: string; skipBodyParsing?: boolean; wires?: string[][] })[] = [];
  RED.nodes.eachNode((config) => {
    const n = config as (typeof feeders)[number];
    if (n.type === 'http in' && n.url && n.wires?.some((port) => port.includes(node.id))) feeders.push(n);
  });
  const added: Gate[] = feeders.map((n) => ({
    app,
    nodeId: node.id,
    httpInIds: [n.id],
    method: (n.method ?? 'post').toUpperCase(),
    path: routePattern(n.url!),
    secret,
    open: new Set(),
  }));
  gates.push(...added);
  return {
    rawBodyRoutes: feeders.filter((n) => n.skipBodyParsing).map((n) => n.url!),
    remove() {
      for (const g of added) {
        gates.splice(gates.indexOf(g), 1);
        orphans.push(g);
      }
    },
  };
}
