import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { parseListQuery, requestDetail } from '../../lib/query';
import { requiredStore, type Done, type Send } from '../shared/config-node';
import { httpRequestOf, payloadParams, requestIdOf } from '../shared/http';
import type { RED } from '../shared/red';
import { startFlowNode } from '../shared/status';
import { useStore } from '../shared/store-user';

interface StatusQueryConfig extends NodeDef {
  store: string;
}

export = (RED: RED) => {
  function StatusQueryNode(this: Node, config: StatusQueryConfig) {
    const { light } = startFlowNode(RED, this, config);
    const reply = (msg: NodeMessageInFlow, send: Send, done: Done, statusCode: number, body: unknown) => {
      msg.statusCode = statusCode;
      msg.payload = body;
      send(msg);
      done();
    };
    // The node answers its own failures (a reader behind an http in must always get an answer).
    const fail = (msg: NodeMessageInFlow, send: Send, done: Done, err: Error) => {
      this.error(err.message);
      reply(msg, send, done, 500, { ok: false, error: err.message });
    };
    const storeNode = requiredStore(RED, this, 'status-query', config.store, fail);
    if (!storeNode) return;
    const stopUsingStore = useStore(storeNode, light);

    this.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      const rawId = requestIdOf(msg);
      storeNode
        .store()
        .then(async (store) => {
          if (rawId !== undefined) {
            const detail = await requestDetail(store, rawId);
            if (!detail) return reply(msg, send, done, 404, { ok: false, error: RED._('status-query.errors.notFound', { id: String(rawId).slice(0, 40) }) });
            return reply(msg, send, done, 200, detail);
          }
          const { id: _id, ...filters } = { ...(httpRequestOf(msg)?.query ?? {}), ...payloadParams(msg) };
          const query = parseListQuery(filters);
          if (!query.ok) return reply(msg, send, done, 400, { ok: false, error: query.error });
          return reply(msg, send, done, 200, await store.outlook.snapshots(await store.read.listRequests(query.filter)));
        })
        .catch((err: Error) => fail(msg, send, done, err));
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      stopUsingStore();
      done();
    });
  }
  RED.nodes.registerType('status-query', StatusQueryNode);
};
