import type { NodeAPI } from 'node-red';
import { parseRequestId } from '../../lib/query';
import { toSnapshot } from '../../lib/tracker/snapshot';
import { registry, type OpenStore } from '../registry';

/**
 * The editor's "Media status" sidebar tab: admin routes (read permission) for the active requests and
 * one request's timeline, and a throttled comms topic that tells open editors when to refresh.
 */

type Req = { params: Record<string, string>; query: Record<string, unknown> };
type Res = { status(code: number): Res; json(body: unknown): void };
type Admin = { get(path: string, ...handlers: unknown[]): void };
type Comms = { publish(topic: string, data: unknown, retain: boolean): void };

const TOPIC = 'media-status/changed';
const THROTTLE_MS = 1000;

export = (RED: NodeAPI) => {
  const api = RED as unknown as { httpAdmin: Admin; comms: Comms; plugins: { registerPlugin(id: string, definition: object): void } };
  api.plugins.registerPlugin('media-status-sidebar', {});

  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      api.comms.publish(TOPIC, { at: new Date().toISOString() }, false);
    }, THROTTLE_MS);
  };
  registry.on('store', (entry: OpenStore) => entry.store.on('committed', changed));

  const storeFor = (req: Req): OpenStore | undefined => {
    const id = typeof req.query.store === 'string' ? req.query.store : undefined;
    return id ? registry.stores.get(id) : registry.stores.values().next().value;
  };
  const read = RED.auth.needsPermission('media-status.read');

  api.httpAdmin.get('/media-status/sidebar/requests', read, (req: Req, res: Res) => {
    const entry = storeFor(req);
    const stores = [...registry.stores.values()].map(({ id, name }) => ({ id, name }));
    const pages = [...registry.pages.values()];
    if (!entry) return res.json({ stores, pages, requests: [] });
    entry.store.read
      .listRequests({ activeOnly: req.query.all !== 'true', limit: 200 })
      .then((records) => res.json({ stores, store: entry.id, pages, requests: records.map(toSnapshot) }))
      .catch((err: Error) => res.status(500).json({ ok: false, error: err.message }));
  });

  api.httpAdmin.get('/media-status/sidebar/requests/:id', read, (req: Req, res: Res) => {
    const entry = storeFor(req);
    const id = parseRequestId(req.params.id);
    if (!entry || id === undefined) return res.status(404).json({ ok: false, error: 'no such request' });
    entry.store.read
      .getRequest(id)
      .then(async (record) => {
        if (!record) return res.status(404).json({ ok: false, error: 'no such request' });
        return res.json({ ...toSnapshot(record), timeline: await entry.store.read.timeline(id) });
      })
      .catch((err: Error) => res.status(500).json({ ok: false, error: err.message }));
  });
};
