import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { type QbitClient } from '../../lib/services/qbittorrent/client';
import { QbitPoller } from '../../lib/services/qbittorrent/poller';
import { parseRequestId } from '../../lib/query';
import { serviceAndStore, type Done, type Send } from '../shared/config-node';
import { periodMs } from '../shared/config-values';
import { requestIdOf } from '../shared/http';
import { closeWith, Interval } from '../shared/interval';
import type { RED } from '../shared/red';
import { guardActingNode } from '../shared/route-gate';
import { startFlowNode } from '../shared/status';
import { useStore } from '../shared/store-user';
import { ServiceError } from '../../lib/services/http/errors';

interface QbitProgressConfig extends NodeDef {
  server: string;
  store: string;
  interval: string;
}

export = (RED: RED) => {
  function QbitProgressNode(this: Node, config: QbitProgressConfig) {
    const { light, clock } = startFlowNode(RED, this, config);
    guardActingNode(RED, this, config.store);
    // No URL (QBIT_URL unset): idle on purpose, and a "poll now" passes straight through.
    const parts = serviceAndStore<QbitClient>(RED, this, light, 'qbit-progress', config, (msg, send, done) => {
      send([null, msg]);
      done();
    });
    if (!parts) return;
    const { client, storeNode } = parts;
    const stopUsingStore = useStore(storeNode, light);
    const poller = new QbitPoller(client);

    /** One poll; with a request id (verify now), that request's downloads, failed ones included. */
    const poll = async (requestId?: number): Promise<void> => {
      const store = await storeNode.store();
      const active = await store.read.activeDownloads(requestId);
      if (!active.length) {
        if (requestId === undefined) light.show('idle', 'qbit-progress.status.idle');
        return;
      }
      try {
        const events = await poller.poll(active, new Date(clock.now()).toISOString());
        for (const event of events) this.send([{ topic: `qbittorrent/${event.downloadId}`, payload: event }, null]);
        const running = events.filter((e) => e.state === 'DOWNLOADING').length;
        light.show('ok', 'qbit-progress.status.polled', { running, total: active.length });
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        light.fail(err.message, err.where);
      }
    };
    // 0: only when asked (an input message), e.g. a "poll now" node beside the timed one.
    const timer = new Interval(clock, periodMs(config.interval, 5), poll, (err) => this.error(err.message), 0);

    this.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      const raw = requestIdOf(msg);
      poll(raw === undefined ? undefined : (parseRequestId(raw) ?? -1))
        .then(() => {
          send([null, msg]);
          done();
        })
        .catch((err: Error) => done(err));
    });
    closeWith(this, stopUsingStore, () => timer.stop());
  }
  RED.nodes.registerType('qbit-progress', QbitProgressNode);
};
