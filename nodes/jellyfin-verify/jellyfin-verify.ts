import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { findInJellyfin, type JellyfinClient } from '../../lib/services/jellyfin/client';
import type { MediaEvent } from '../../lib/events';
import { parseRequestId } from '../../lib/query';
import { serviceAndStore, type Done, type Send } from '../shared/config-node';
import { periodMs, numberFrom } from '../shared/config-values';
import { requestIdOf } from '../shared/http';
import { closeWith, Interval } from '../shared/interval';
import type { RED } from '../shared/red';
import { guardActingNode } from '../shared/route-gate';
import { startFlowNode } from '../shared/status';
import { useStore } from '../shared/store-user';
import { ServiceError } from '../../lib/services/http/errors';

interface JellyfinVerifyConfig extends NodeDef {
  server: string;
  store: string;
  interval: string;
  downloadedMinutes: string;
  approvedMinutes: string;
}

const BATCH = 50;

export = (RED: RED) => {
  function JellyfinVerifyNode(this: Node, config: JellyfinVerifyConfig) {
    const { light, clock } = startFlowNode(RED, this, config);
    guardActingNode(RED, this, config.store);
    const notFound = (reason: string): MediaEvent => ({ source: 'jellyfin', at: new Date(clock.now()).toISOString(), kind: 'ignored', name: 'verify', reason });
    // No URL (JELLYFIN_URL unset): idle on purpose; a "verify now" is answered "not configured".
    const parts = serviceAndStore<JellyfinClient>(RED, this, light, 'jellyfin-verify', config, (msg, send, done) => {
      msg.payload = notFound(RED._('jellyfin-verify.reasons.notConfigured'));
      send([null, msg]);
      done();
    });
    if (!parts) return;
    const { client, storeNode } = parts;
    const stopUsingStore = useStore(storeNode, light);
    const downloadedMs = numberFrom(config.downloadedMinutes, 10) * 60000;
    const approvedMs = numberFrom(config.approvedMinutes, 10) * 60000;

    /** Jellyfin's own trouble (down, a refused key) is a status, not a flow error. */
    const unreachable = (err: unknown): boolean => {
      if (!(err instanceof ServiceError)) return false;
      light.fail(err.message, err.where);
      return true;
    };

    const sweep = async () => {
      const store = await storeNode.store();
      const now = clock.now();
      const waiting = await store.read.awaitingEvidence(new Date(now - downloadedMs).toISOString(), new Date(now - approvedMs).toISOString(), BATCH);
      let found = 0;
      for (const record of waiting) {
        const event = await findInJellyfin(client, record, new Date(clock.now()).toISOString());
        if (!event) continue;
        found++;
        this.send([{ topic: `jellyfin/verify/${record.id}`, payload: event }, null]);
      }
      light.show('ok', 'jellyfin-verify.status.checked', { checked: waiting.length, found });
    };
    // 0: only when asked (an input message), e.g. a "verify now" node beside the timed one.
    const timer = new Interval(clock, periodMs(config.interval, 120), sweep, (err) => {
      if (!unreachable(err)) this.error(err.message);
    });

    // One request now (a "verify now" route): the answer goes on output 2, on the incoming message.
    this.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      storeNode
        .store()
        .then((store) => {
          const id = parseRequestId(requestIdOf(msg));
          return id === undefined ? undefined : store.read.getRequest(id);
        })
        .then(async (record) => {
          if (!record) return notFound(RED._('jellyfin-verify.reasons.unknown'));
          return (await findInJellyfin(client, record, new Date(clock.now()).toISOString())) ?? notFound(RED._('jellyfin-verify.reasons.notPlayable'));
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
    closeWith(this, stopUsingStore, () => timer.stop());
  }
  RED.nodes.registerType('jellyfin-verify', JellyfinVerifyNode);
};
