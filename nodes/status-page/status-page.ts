import type { ActionName } from '../../lib/events';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, NodeDef } from 'node-red';
import { actorOf, crossSite, isJson } from '../../lib/acting-access';
import { parseListQuery, requestDetail } from '../../lib/query';
import { RateLimit } from '../../lib/rate-limit';
import type { StatusStore } from '../../lib/store/store';
import { computeStats } from '../../lib/tracker/stats';
import { nameless, namelessTimeline, publicHealth, publicSnapshot } from '../../lib/tracker/snapshot';
import { requiredStore } from '../shared/config-node';
import { numberFrom } from '../shared/config-values';
import { withMiddleware } from '../shared/middleware';
import type { RED } from '../shared/red';
import { behindNodeAuth } from '../shared/route-gate';
import { startFlowNode } from '../shared/status';
import type { JellyfinServerNode } from '../shared/types';
import { useStore } from '../shared/store-user';
import type { Req, Res } from './http-types';
import { personalRoutes, signedIn } from './personal';

interface StatusPageConfig extends NodeDef {
  store: string;
  path: string;
  title: string;
  /** Retry and verify buttons on the page (off: read-only); only behind httpNodeAuth or httpNodeMiddleware. */
  actions?: boolean;
  /** Actions from the page at most, a minute, whoever asks. */
  actionsPerMinute?: string;
  /** Who sees requesters' names: everyone (the default before 0.3), or only signed-in users. */
  names?: 'everyone' | 'signed-in';
  /** Take a reverse proxy's Remote-User header as the signed-in user (README: only behind that proxy). */
  trustProxy?: boolean;
}

/** What the household may do from the page when the buttons are on. */
const PAGE_ACTIONS: readonly string[] = ['retry', 'verify'] satisfies ActionName[];
const ACTION_PATH = /^\/data\/requests\/([^/]+)\/actions\/([^/]+)$/;
const FOLLOW_PATH = /^\/me(\/[^/]+)?\/follows\/[^/]+$/;

type Handler = (req: Req, res: Res, next: (err?: unknown) => void) => void;
type Router = { _router?: { stack: { handle: unknown }[] }; use(handler: Handler): void };

const PAGE = readFileSync(join(__dirname, 'page.html'), 'utf8');
/** Under common proxy idle timeouts (nginx 60 s); settings.js can change it (statusPageHeartbeat, ms). */
const HEARTBEAT_MS = 15000;
const PUSH_EVERY_MS = 250;
/** The page's list: 50 cards a page, 200 at most. */
const PAGE_LIMITS = { defaultLimit: 50, maxLimit: 200 };
/** Live viewers at most; the next gets 503. */
const MAX_CLIENTS = 100;
/**
 * A viewer that stopped reading (more than MAX_BUFFERED waits for it, and none of it was read since
 * the last message) is dropped; so is any viewer past MAX_BACKLOG. A viewer that reads slowly keeps
 * its place: one message of a 10,000-episode show is larger than MAX_BUFFERED by itself.
 */
const MAX_BUFFERED = 1024 * 1024;
const MAX_BACKLOG = 32 * 1024 * 1024;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Where watch-now links open: the deployed jellyfin-server's public address (JELLYFIN_PUBLIC_URL, else its own). */
function jellyfinUrl(RED: RED): string | undefined {
  let url: string | undefined;
  RED.nodes.eachNode((def) => {
    if (def.type === 'jellyfin-server') url ??= (RED.nodes.getNode(def.id) as JellyfinServerNode | null)?.publicUrl;
  });
  return url ?? (process.env.JELLYFIN_PUBLIC_URL?.trim() || undefined);
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export = (RED: RED) => {
  function StatusPageNode(this: Node, config: StatusPageConfig) {
    const { light, clock } = startFlowNode(RED, this, config);
    const storeNode = requiredStore(RED, this, 'status-page', config.store, (_m, _s, done) => done());
    if (!storeNode) return;
    const base = `/${(config.path || '/media-status').replace(/^\/+|\/+$/g, '')}`;
    const title = config.title || 'Media status';
    // Buttons that act for anonymous visitors would let anyone who reaches the page blocklist downloads.
    const nodeAuth = behindNodeAuth(RED);
    if (config.actions === true && !nodeAuth) this.error(RED._('status-page.errors.actionsNeedAuth'));
    const actions = config.actions === true && nodeAuth;
    const actionLimit = new RateLimit(numberFrom(config.actionsPerMinute, 5), 60_000, () => clock.now());
    const trustProxy = config.trustProxy === true;
    const namesFor = (req: Req) => config.names !== 'signed-in' || signedIn(req, nodeAuth, trustProxy) !== undefined;
    /** Live viewers, and whether each may see names. */
    const clients = new Map<Res, boolean>();
    const showViewers = () =>
      config.actions === true && !nodeAuth
        ? light.show('problem', 'status-page.status.actionsNeedAuth')
        : light.show('ok', 'status-page.status.viewers', { count: clients.size });
    let pending = new Set<number>();
    let pushTimer: NodeJS.Timeout | undefined;

    /** To every viewer; one that stopped reading (its buffer full) is dropped rather than kept in memory. */
    const backlogs = new WeakMap<Res, number>();
    const broadcast = (data: string, withoutNames = data) => {
      for (const [client, names] of clients) {
        const backlog = client.writableLength;
        const stalled = backlog > MAX_BUFFERED && backlog >= (backlogs.get(client) ?? 0);
        if (stalled || backlog > MAX_BACKLOG) {
          clients.delete(client);
          client.destroy();
          continue;
        }
        client.write(names ? data : withoutNames);
        backlogs.set(client, client.writableLength);
      }
    };

    // Only committed data reaches the page: the store says what each commit changed.
    const push = async () => {
      pushTimer = undefined;
      const ids = [...pending];
      pending = new Set();
      if (!clients.size || !ids.length) return;
      const store = await storeNode.store();
      const snapshots = (await store.hold(async () => store.outlook.snapshots(await store.read.requestsById(ids)))).map(publicSnapshot);
      const message = (list: unknown[]) => `event: requests\ndata: ${JSON.stringify(list)}\n\n`;
      broadcast(message(snapshots), config.names === 'signed-in' ? message(snapshots.map(nameless)) : undefined);
    };
    const onCommitted = (ids: number[]) => {
      ids.forEach((id) => pending.add(id));
      pushTimer ??= setTimeout(() => void push().catch((err: Error) => this.warn(err.message)), PUSH_EVERY_MS);
    };
    const stopUsingStore = useStore(storeNode, light, (store: StatusStore) => {
      store.on('committed', onCommitted);
      return () => store.off('committed', onCommitted);
    });
    const heartbeat = setInterval(() => broadcast(': heartbeat\n\n'), RED.settings.statusPageHeartbeat || HEARTBEAT_MS);

    const api = async (path: string, req: Req, res: Res) => {
      const store = await storeNode.store();
      const names = namesFor(req);
      const shown = <T extends { requestedBy: string | null }>(snapshot: T) => (names ? snapshot : nameless(snapshot));
      if (path === '/data/requests') {
        const query = parseListQuery(req.query, PAGE_LIMITS);
        if (!query.ok) return res.status(400).json({ ok: false, error: query.error });
        // Filtering by a name one may not see would tell whose requests these are.
        const filter = names ? query.filter : { ...query.filter, requestedBy: undefined };
        return res.json((await store.outlook.snapshots(await store.read.listRequests(filter))).map((s) => shown(publicSnapshot(s))));
      }
      const one = /^\/data\/requests\/([^/]+)$/.exec(path)?.[1];
      if (one !== undefined) {
        const id = decoded(one);
        if (id === undefined) return res.status(400).json({ ok: false, error: 'id: not a valid URL escape' });
        const detail = await requestDetail(store, id);
        if (!detail) return res.status(404).json({ ok: false, error: 'no such request' });
        return res.json({ ...shown(publicSnapshot(detail)), timeline: names ? detail.timeline : namelessTimeline(detail.timeline, detail.requestedBy) });
      }
      if (path === '/data/stats') return res.json(computeStats(await store.read.statsRows(), (await store.outlook.view()).now, await store.read.etaErrors()));
      if (path === '/data/requesters') return res.json(names ? await store.read.requesters() : []);
      if (path === '/data/services') return res.json((await store.read.serviceHealth()).map(publicHealth));
      return res.status(404).json({ ok: false, error: 'not found' });
    };

    const events = (req: Req, res: Res) => {
      if (clients.size >= MAX_CLIENTS) return res.status(503).json({ ok: false, error: 'too many live viewers' });
      res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.flushHeaders();
      res.write('retry: 2000\n\n');
      clients.set(res, namesFor(req));
      showViewers();
      req.on('close', () => {
        clients.delete(res);
        showViewers();
      });
    };

    const page = (req: Req, res: Res, me = '') => {
      const nonce = randomBytes(16).toString('base64');
      res
        .set({
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': `default-src 'self'; img-src 'self' https: http: data:; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; frame-ancestors 'self'`,
          'x-content-type-options': 'nosniff',
        })
        .send(
          // Replacement functions: a "$&" in a title must stay text.
          PAGE.replace('__BASE__', () => escapeHtml(`${req.baseUrl}${base}`))
            .replace('__ACTIONS__', () => (actions ? PAGE_ACTIONS.join(',') : ''))
            .replace('__ME__', () => escapeHtml(me && `${req.baseUrl}${base}${me}`))
            .replace('__TITLE__', () => escapeHtml(title))
            .replace('__NONCE__', () => nonce),
        );
    };

    /**
     * A button on the page (when enabled, behind Node-RED's authentication): JSON only and never from
     * another site, so a form or a script elsewhere cannot make the household's Node-RED act; at most
     * `actionsPerMinute` a minute across the page.
     */
    const act = (match: RegExpExecArray, req: Req, res: Res) => {
      if (!actions || !PAGE_ACTIONS.includes(match[2] ?? '')) return res.status(404).json({ ok: false, error: 'not found' });
      if (crossSite(req) || !isJson(req)) return res.status(403).json({ ok: false, error: 'only the status page itself may act' });
      if (!actionLimit.take())
        return res
          .status(429)
          .set({ 'retry-after': String(actionLimit.retryAfterSeconds()) })
          .json({ ok: false, error: `too many actions from the page: at most ${actionLimit.max} a minute` });
      const by = actorOf(req, { token: '', nodeAuth }, 'status page');
      storeNode
        .act({ requestId: decoded(match[1] ?? ''), action: match[2], reason: 'from the status page' }, by)
        .then(({ status, body }) => res.status(status).json(body))
        .catch((err: Error) => res.status(500).json({ ok: false, error: err.message }));
    };

    // settings.js's httpNodeMiddleware guards these routes as it guards every http in (httpNodeAuth runs before both).
    const guarded = withMiddleware(RED.settings.httpNodeMiddleware);
    const handler: Handler = (req, res, next) => {
      if (req.path !== base && !req.path.startsWith(`${base}/`)) return next();
      const path = req.path.slice(base.length) || '/';
      // The page's only POST is its buttons' (other routes under the same path, the flow's own API, pass by).
      const action = req.method === 'POST' ? ACTION_PATH.exec(path) : null;
      const following = (req.method === 'POST' || req.method === 'DELETE') && FOLLOW_PATH.test(path);
      if (req.method !== 'GET' && !action && !following) return next();
      guarded(req, res, next, () => {
        if (action) return act(action, req, res);
        if (personal(path, req, res)) return;
        if (path === '/') return page(req, res);
        if (path === '/events') return events(req, res);
        api(path, req, res).catch((err: Error) => {
          this.warn(err.message);
          res.status(500).json({ ok: false, error: err.message });
        });
      });
    };
    const personal = personalRoutes({
      store: () => storeNode.store(),
      nodeAuth,
      trustProxy,
      jellyfinUrl: () => jellyfinUrl(RED),
      page,
      now: () => clock.now(),
    });
    const app = RED.httpNode as unknown as Router;
    app.use(handler);
    const root = RED.settings.httpNodeRoot;
    const leaveStore = storeNode.use(this, { page: `${typeof root === 'string' ? root.replace(/\/+$/, '') : ''}${base}` });
    showViewers();

    this.on('close', (_removed: boolean, done: () => void) => {
      leaveStore();
      const stack = app._router?.stack ?? [];
      const at = stack.findIndex((layer) => layer.handle === handler);
      if (at >= 0) stack.splice(at, 1);
      clearInterval(heartbeat);
      clearTimeout(pushTimer);
      clients.forEach((_names, client) => client.end());
      clients.clear();
      stopUsingStore();
      done();
    });
  }
  RED.nodes.registerType('status-page', StatusPageNode, {
    // settings.js: statusPageHeartbeat, ms between the live stream's heartbeats.
    settings: { statusPageHeartbeat: { value: HEARTBEAT_MS, exportable: false } },
  });
};
