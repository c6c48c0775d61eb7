import type { Request, Response } from 'express';
import type { Node } from 'node-red';
import { crossSite, isJson } from '../../lib/acting-access';
import { requestDetail } from '../../lib/query';
import type { RED } from '../shared/red';
import type { ServerHealth, StatusStoreNode } from '../shared/types';
import { peopleRoutes } from './people-routes';

/**
 * The editor's "Media status" sidebar tab: admin routes (read permission) for the active requests and
 * one request's timeline, one (write permission) for its action buttons, and a throttled comms topic
 * that tells open editors when to refresh.
 */

/** The scopes that grant media-status.write (Node-RED: `*`, `write` and `*.write` grant every `x.write`). */
const WRITE_SCOPES = ['*', 'write', '*.write', 'media-status.write', 'media-status.*'];

export = (RED: RED) => {
  RED.plugins.registerPlugin('media-status-sidebar', { type: 'media-status-sidebar' });

  /** The deployed status-store nodes, as Node-RED lists them. */
  const storeNodes = (): StatusStoreNode[] => {
    const found: StatusStoreNode[] = [];
    RED.nodes.eachNode((def) => {
      const node = def.type === 'status-store' ? (RED.nodes.getNode(def.id) as StatusStoreNode | null) : null;
      if (node) found.push(node);
    });
    return found;
  };
  /** The store a request names (`?store=`), else the first deployed. */
  const storeFor = (req: Request): StatusStoreNode | undefined => {
    const id = typeof req.query.store === 'string' ? req.query.store : undefined;
    const nodes = storeNodes();
    return id ? nodes.find((n) => n.id === id) : nodes[0];
  };
  const fail = (res: Response) => (err: Error) => res.status(500).json({ ok: false, error: err.message });
  const read = RED.auth.needsPermission('media-status.read');
  /**
   * Acting needs media-status.write, and that alone (Node-RED's own check would ask for read too, and
   * answers a missing permission with 401, which an editor takes for "log in again"): a logged-in user
   * without it gets a 403 that says why. JSON only and never from another site, so a page elsewhere
   * cannot make an editor without adminAuth act.
   */
  const authenticated = RED.auth.needsPermission('');
  const write = (req: Request, res: Response, next: () => void) => {
    if (crossSite(req) || !isJson(req)) return void res.status(403).json({ ok: false, error: 'only the editor itself may act (JSON, same site)' });
    const { user, authInfo } = req as Request & { user?: unknown; authInfo?: { scope?: string | string[] } };
    const scopes = [authInfo?.scope ?? []].flat();
    if (!user || scopes.some((s) => WRITE_SCOPES.includes(s))) return next();
    res.status(403).json({ ok: false, error: 'acting on requests needs the media-status.write permission' });
  };

  RED.httpAdmin.get('/media-status/sidebar/requests', read, (req: Request, res: Response) => {
    const nodes = storeNodes();
    const entry = storeFor(req);
    const stores = nodes.map((n) => ({ id: n.id, name: n.label }));
    const pages = nodes.flatMap((n) => n.pages());
    if (!entry) return void res.json({ stores, pages, requests: [] });
    entry
      .store()
      .then(async (store) => {
        const records = await store.read.listRequests({ activeOnly: req.query.all !== 'true', limit: 200 });
        res.json({ stores, store: entry.id, pages, services: await store.read.serviceHealth(), requests: await store.outlook.snapshots(records) });
      })
      .catch(fail(res));
  });

  RED.httpAdmin.get('/media-status/sidebar/requests/:id', read, (req: Request, res: Response) => {
    const entry = storeFor(req);
    if (!entry) return void res.status(404).json({ ok: false, error: 'no such request' });
    entry
      .store()
      .then((store) => requestDetail(store, req.params.id))
      .then((detail) => (detail ? res.json(detail) : res.status(404).json({ ok: false, error: 'no such request' })))
      .catch(fail(res));
  });

  // A button in the sidebar: the action through the store's media-action, as the editor's user.
  RED.httpAdmin.post('/media-status/sidebar/requests/:id/actions/:action', authenticated, write, (req: Request, res: Response) => {
    const entry = storeFor(req);
    if (!entry) return void res.status(404).json({ ok: false, error: 'no such request' });
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
    const user = (req as Request & { user?: { username?: string } }).user;
    entry
      .act({ ...body, requestId: req.params.id, action: req.params.action }, user?.username ?? 'editor')
      .then(({ status, body: answer }) => res.status(status).json(answer))
      .catch(fail(res));
  });

  peopleRoutes(RED, { read, authenticated, write }, storeFor);

  // A server config node's dialog shows what its last call found (ok, unauthorised, unreachable, another service).
  RED.httpAdmin.get('/media-status/servers/:id', read, (req: Request, res: Response) => {
    const server = RED.nodes.getNode(String(req.params.id)) as (Node & { health?: () => ServerHealth }) | null;
    if (!server?.health) return void res.status(404).json({ ok: false, error: 'not deployed' });
    res.json(server.health());
  });
};
