import type { Node, NodeAPI, NodeDef } from 'node-red';
import { parseListQuery, parseRequestId } from '../../lib/query';
import { toSnapshot } from '../../lib/tracker/snapshot';
import type { StatusStoreNode } from '../types';

interface StatusQueryConfig extends NodeDef {
  store: string;
}

type Req = { params?: Record<string, string>; query?: Record<string, unknown> } | undefined;

export = (RED: NodeAPI) => {
  function StatusQueryNode(this: Node, config: StatusQueryConfig) {
    RED.nodes.createNode(this, config);
    const storeNode = RED.nodes.getNode(config.store) as StatusStoreNode | null;

    this.on('input', (msg, send, done) => {
      if (!storeNode) {
        done(new Error(RED._('status-query.errors.noStore')));
        return;
      }
      const req = msg.req as Req;
      const payload = msg.payload !== null && typeof msg.payload === 'object' && !Buffer.isBuffer(msg.payload) ? (msg.payload as Record<string, unknown>) : {};
      const rawId = req?.params?.id ?? payload.id;
      const reply = (statusCode: number, body: unknown) => {
        msg.statusCode = statusCode;
        msg.payload = body;
        send(msg);
        done();
      };
      storeNode
        .store()
        .then(async (store) => {
          if (rawId !== undefined) {
            const id = parseRequestId(rawId);
            const record = id === undefined ? undefined : await store.read.getRequest(id);
            if (!record) return reply(404, { ok: false, error: RED._('status-query.errors.notFound', { id: String(rawId).slice(0, 40) }) });
            return reply(200, { ...toSnapshot(record), timeline: await store.read.timeline(record.id) });
          }
          const { id: _id, ...filters } = { ...(req?.query ?? {}), ...payload };
          const query = parseListQuery(filters);
          if (!query.ok) return reply(400, { ok: false, error: query.error });
          const records = await store.read.listRequests({ states: query.query.states, activeOnly: query.query.activeOnly, limit: query.query.limit });
          return reply(200, records.map(toSnapshot));
        })
        .catch((err: Error) => done(err));
    });
  }
  RED.nodes.registerType('status-query', StatusQueryNode);
};
