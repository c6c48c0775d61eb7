import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { findInJellyfin, JellyfinError } from '../../lib/clients/jellyfin';
import type { MediaEvent } from '../../lib/events';
import { parseRequestId } from '../../lib/query';
import { configValue } from '../../lib/config-values';
import { secondsFrom } from '../shared';
import type { JellyfinServerNode, StatusStoreNode } from '../types';

interface JellyfinVerifyConfig extends NodeDef {
  server: string;
  store: string;
  interval: string;
  downloadedMinutes: string;
  approvedMinutes: string;
}

type Req = { params?: Record<string, string> } | undefined;
const BATCH = 50;

export = (RED: NodeAPI) => {
  function JellyfinVerifyNode(this: Node, config: JellyfinVerifyConfig) {
    RED.nodes.createNode(this, config);
    const server = RED.nodes.getNode(config.server) as JellyfinServerNode | null;
    const storeNode = RED.nodes.getNode(config.store) as StatusStoreNode | null;
    const client = server?.client;
    const notFound = (reason: string): MediaEvent => ({ source: 'jellyfin', at: new Date().toISOString(), kind: 'ignored', name: 'verify', reason });
    if (!client || !storeNode) {
      this.status({ fill: 'grey', shape: 'ring', text: client ? 'jellyfin-verify.status.noStore' : 'jellyfin-verify.status.notConfigured' });
      this.on('input', (msg, send, done) => {
        msg.payload = notFound(RED._('jellyfin-verify.reasons.notConfigured'));
        send([null, msg]);
        done();
      });
      return;
    }
    // 0: only when asked (an input message), e.g. a "verify now" node beside the timed one.
    const intervalMs = configValue(config.interval) === '0' ? 0 : secondsFrom(config.interval, 120) * 1000;
    const downloadedMs = secondsFrom(config.downloadedMinutes, 10) * 60000;
    const approvedMs = secondsFrom(config.approvedMinutes, 10) * 60000;
    let timer: NodeJS.Timeout | undefined;
    let closing = false;

    const unreachable = (err: unknown): boolean => {
      if (!(err instanceof JellyfinError)) return false;
      this.status({ fill: 'red', shape: 'ring', text: err.message.slice(0, 60) });
      return true;
    };

    const sweep = async () => {
      const store = await storeNode.store();
      const now = Date.now();
      const waiting = await store.read.awaitingEvidence(new Date(now - downloadedMs).toISOString(), new Date(now - approvedMs).toISOString(), BATCH);
      let found = 0;
      for (const record of waiting) {
        const event = await findInJellyfin(client, record, new Date().toISOString());
        if (!event) continue;
        found++;
        this.send([{ topic: `jellyfin/verify/${record.id}`, payload: event }, null]);
      }
      this.status({ fill: 'green', shape: 'dot', text: RED._('jellyfin-verify.status.checked', { checked: waiting.length, found }) });
    };

    const loop = () => {
      sweep()
        .catch((err: Error) => unreachable(err) || this.error(err.message))
        .finally(() => {
          if (!closing) timer = setTimeout(loop, intervalMs);
        });
    };
    if (intervalMs) timer = setTimeout(loop, intervalMs);

    // One request now (a "verify now" route): the answer goes on output 2, on the incoming message.
    this.on('input', (msg: NodeMessageInFlow, send, done) => {
      const raw = (msg.req as Req)?.params?.id ?? (msg.payload as { id?: unknown } | undefined)?.id;
      const id = parseRequestId(raw);
      storeNode
        .store()
        .then((store) => (id === undefined ? undefined : store.read.getRequest(id)))
        .then(async (record) => {
          if (!record) return notFound(RED._('jellyfin-verify.reasons.unknown'));
          return (await findInJellyfin(client, record, new Date().toISOString())) ?? notFound(RED._('jellyfin-verify.reasons.notPlayable'));
        })
        .catch((err: unknown) => {
          if (!unreachable(err)) throw err;
          return notFound((err as Error).message);
        })
        .then((event) => {
          msg.payload = event;
          send([null, msg]);
          done();
        })
        .catch((err: Error) => done(err));
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      clearTimeout(timer);
      done();
    });
  }
  RED.nodes.registerType('jellyfin-verify', JellyfinVerifyNode);
};
