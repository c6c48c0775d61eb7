import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { QbitError } from '../../lib/clients/qbittorrent';
import { QbitPoller } from '../../lib/clients/qbit-poller';
import { parseRequestId } from '../../lib/query';
import { configValue } from '../../lib/config-values';
import { secondsFrom } from '../shared';
import type { QbittorrentServerNode, StatusStoreNode } from '../types';

interface QbitProgressConfig extends NodeDef {
  server: string;
  store: string;
  interval: string;
}

type Req = { params?: Record<string, string> } | undefined;

export = (RED: NodeAPI) => {
  function QbitProgressNode(this: Node, config: QbitProgressConfig) {
    RED.nodes.createNode(this, config);
    const server = RED.nodes.getNode(config.server) as QbittorrentServerNode | null;
    const storeNode = RED.nodes.getNode(config.store) as StatusStoreNode | null;
    const client = server?.client;
    if (!client || !storeNode) {
      this.status({ fill: 'grey', shape: 'ring', text: client ? 'qbit-progress.status.noStore' : 'qbit-progress.status.notConfigured' });
      this.on('input', (msg, send, done) => {
        send([null, msg]);
        done();
      });
      return;
    }
    const poller = new QbitPoller(client);
    // 0: only when asked (an input message), e.g. a "poll now" node beside the timed one.
    const intervalMs = configValue(config.interval) === '0' ? 0 : secondsFrom(config.interval, 5) * 1000;
    let timer: NodeJS.Timeout | undefined;
    let closing = false;

    /** One poll; with a request id (verify now), that request's downloads, failed ones included. */
    const poll = async (requestId?: number): Promise<void> => {
      const store = await storeNode.store();
      const active = await store.read.activeDownloads(requestId);
      if (!active.length) {
        if (requestId === undefined) this.status({ fill: 'grey', shape: 'dot', text: 'qbit-progress.status.idle' });
        return;
      }
      try {
        const events = await poller.poll(active, new Date().toISOString());
        for (const event of events) this.send([{ topic: `qbittorrent/${event.downloadId}`, payload: event }, null]);
        const running = events.filter((e) => e.state === 'DOWNLOADING').length;
        this.status({ fill: 'green', shape: 'dot', text: RED._('qbit-progress.status.polled', { running, total: active.length }) });
      } catch (err) {
        if (!(err instanceof QbitError)) throw err;
        this.status({ fill: 'red', shape: 'ring', text: err.message.slice(0, 60) });
      }
    };

    const loop = () => {
      poll()
        .catch((err: Error) => this.error(err.message))
        .finally(() => {
          if (!closing) timer = setTimeout(loop, intervalMs);
        });
    };
    if (intervalMs) timer = setTimeout(loop, 0);

    this.on('input', (msg: NodeMessageInFlow, send, done) => {
      const raw = (msg.req as Req)?.params?.id ?? (msg.payload as { id?: unknown } | undefined)?.id;
      poll(raw === undefined ? undefined : (parseRequestId(raw) ?? -1))
        .then(() => {
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
  RED.nodes.registerType('qbit-progress', QbitProgressNode);
};
