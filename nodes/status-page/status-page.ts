import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { parseRequestId } from '../../lib/query';
import { pageFilter } from '../../lib/status-page/query';
import { computeStats } from '../../lib/tracker/stats';
import { toSnapshot } from '../../lib/tracker/snapshot';
import { registry } from '../registry';
import type { StatusStoreNode } from '../types';

interface StatusPageConfig extends NodeDef {
  store: string;
  path: string;
  title: string;
}

/* Minimal shapes of the Express request and response http in hands us. */
type Req = { method: string; path: string; baseUrl: string; query: Record<string, unknown>; on(event: 'close', listener: () => void): void };
type Res = {
  status(code: number): Res;
  set(headers: Record<string, string>): Res;
  json(body: unknown): void;
  send(body: string): void;
  write(chunk: string): boolean;
  end(): void;
  flushHeaders(): void;
};
type Handler = (req: Req, res: Res, next: () => void) => void;
type Router = { _router?: { stack: { handle: unknown }[] }; use(handler: Handler): void };

const PAGE = readFileSync(join(__dirname, 'page.html'), 'utf8');
/** Under common proxy idle timeouts (nginx 60 s); settings.js can change it (statusPageHeartbeat, ms). */
const HEARTBEAT_MS = 15000;
const PUSH_EVERY_MS = 250;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export = (RED: NodeAPI) => {
  function StatusPageNode(this: Node, config: StatusPageConfig) {
    RED.nodes.createNode(this, config);
    const storeNode = RED.nodes.getNode(config.store) as StatusStoreNode | null;
    const base = `/${(config.path || '/media-status').replace(/^\/+|\/+$/g, '')}`;
    const title = config.title || 'Media status';
    if (!storeNode) {
      this.status({ fill: 'red', shape: 'ring', text: 'status-page.status.noStore' });
      return;
    }
    const clients = new Set<Res>();
    let pending = new Set<number>();
    let pushTimer: NodeJS.Timeout | undefined;

    // Only committed data reaches the page: the store says what each commit changed.
    const push = async () => {
      pushTimer = undefined;
      const ids = [...pending];
      pending = new Set();
      if (!clients.size || !ids.length) return;
      const records = await (await storeNode.store()).read.requestsById(ids);
      const data = `event: requests\ndata: ${JSON.stringify(records.map(toSnapshot))}\n\n`;
      for (const client of clients) client.write(data);
    };
    const onCommitted = (ids: number[]) => {
      ids.forEach((id) => pending.add(id));
      pushTimer ??= setTimeout(() => void push().catch((err: Error) => this.warn(err.message)), PUSH_EVERY_MS);
    };
    storeNode.store().then(
      (store) => store.on('committed', onCommitted),
      () => undefined,
    );
    const heartbeatMs = Number((RED.settings as unknown as { statusPageHeartbeat?: number }).statusPageHeartbeat) || HEARTBEAT_MS;
    const heartbeat = setInterval(() => clients.forEach((client) => client.write(': heartbeat\n\n')), heartbeatMs);

    const api = async (path: string, req: Req, res: Res) => {
      const store = await storeNode.store();
      if (path === '/data/requests') {
        const query = pageFilter(req.query);
        if (!query.ok) return res.status(400).json({ ok: false, error: query.error });
        return res.json((await store.read.listRequests(query.filter)).map(toSnapshot));
      }
      const one = /^\/data\/requests\/([^/]+)$/.exec(path)?.[1];
      if (one) {
        const id = parseRequestId(decodeURIComponent(one));
        const record = id === undefined ? undefined : await store.read.getRequest(id);
        if (!record) return res.status(404).json({ ok: false, error: 'no such request' });
        return res.json({ ...toSnapshot(record), timeline: await store.read.timeline(record.id) });
      }
      if (path === '/data/stats') return res.json(computeStats(await store.read.statsRows(), new Date()));
      if (path === '/data/requesters') return res.json(await store.read.requesters());
      return res.status(404).json({ ok: false, error: 'not found' });
    };

    const handler: Handler = (req, res, next) => {
      if (req.method !== 'GET' || (req.path !== base && !req.path.startsWith(`${base}/`))) return next();
      const path = req.path.slice(base.length) || '/';
      if (path === '/') {
        const nonce = randomBytes(16).toString('base64');
        res
          .set({
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': `default-src 'self'; img-src 'self' https: data:; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'`,
            'x-content-type-options': 'nosniff',
          })
          .send(
            // Replacement functions: a "$&" in a title must stay text.
            PAGE.replace('__BASE__', () => escapeHtml(`${req.baseUrl}${base}`))
              .replace('__TITLE__', () => escapeHtml(title))
              .replace('__NONCE__', () => nonce),
          );
        return;
      }
      if (path === '/events') {
        res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        res.flushHeaders();
        res.write('retry: 2000\n\n');
        clients.add(res);
        this.status({ fill: 'green', shape: 'dot', text: RED._('status-page.status.viewers', { count: clients.size }) });
        req.on('close', () => {
          clients.delete(res);
          this.status({ fill: 'green', shape: 'dot', text: RED._('status-page.status.viewers', { count: clients.size }) });
        });
        return;
      }
      api(path, req, res).catch((err: Error) => {
        this.warn(err.message);
        res.status(500).json({ ok: false, error: err.message });
      });
    };
    const app = RED.httpNode as unknown as Router;
    app.use(handler);
    const root = (RED.settings as unknown as { httpNodeRoot?: string | false }).httpNodeRoot;
    registry.pages.set(this.id, `${typeof root === 'string' ? root.replace(/\/+$/, '') : ''}${base}`);
    this.status({ fill: 'green', shape: 'dot', text: RED._('status-page.status.viewers', { count: 0 }) });

    this.on('close', (_removed: boolean, done: () => void) => {
      registry.pages.delete(this.id);
      const stack = app._router?.stack ?? [];
      const at = stack.findIndex((layer) => layer.handle === handler);
      if (at >= 0) stack.splice(at, 1);
      clearInterval(heartbeat);
      clearTimeout(pushTimer);
      clients.forEach((client) => client.end());
      clients.clear();
      storeNode
        .store()
        .then(
          (store) => store.off('committed', onCommitted),
          () => undefined,
        )
        .finally(done);
    });
  }
  RED.nodes.registerType('status-page', StatusPageNode);
};
