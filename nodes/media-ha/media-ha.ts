import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { configValue } from '../../lib/config-values';
import { deviceConfigs, newsEvent, removeRequestSensor, requestSensor, summaryState, type HaOptions, type MqttMessage } from '../../lib/ha/discovery';
import { newsOf, notificationOf, StateChangeSchema } from '../../lib/notify/news';
import type { StatusStore } from '../../lib/store/store';
import type { StateChange } from '../../lib/tracker/messages';
import { requiredStore, type Done, type Send } from '../shared/config-node';
import { numberFrom } from '../shared/config-values';
import { Interval } from '../shared/interval';
import type { RED } from '../shared/red';
import { StatusLight } from '../shared/status';
import { useStore } from '../shared/store-user';

interface MediaHaConfig extends NodeDef {
  store: string;
  prefix: string;
  base: string;
  baseUrl: string;
  keepHours: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require('../../../package.json') as { version: string }).version;
const HOUR = 3_600_000;

export = (RED: RED) => {
  function MediaHaNode(this: Node, config: MediaHaConfig) {
    RED.nodes.createNode(this, config);
    const light = new StatusLight(RED, this);
    const storeNode = requiredStore(RED, this, 'media-ha', config.store);
    if (!storeNode) return;
    const options: HaOptions = {
      prefix: (configValue(config.prefix) || 'homeassistant').replace(/\/+$/, ''),
      base: (configValue(config.base) || 'media-status').replace(/\/+$/, ''),
      baseUrl: configValue(config.baseUrl) || 'http://127.0.0.1:1880',
      version: VERSION,
    };
    const keepMs = numberFrom(config.keepHours, 24) * HOUR;
    /** The requests whose sensor is published now. */
    const published = new Set<number>();
    const publish = (messages: MqttMessage[]) => {
      for (const m of messages) this.send({ topic: m.topic, payload: m.payload, retain: m.retain, qos: m.qos });
    };
    const shown = (now: number) => new Date(now - keepMs).toISOString();
    const summary = async (store: StatusStore) => summaryState(options, await store.read.haCounts(new Date(Date.now() - 7 * 24 * HOUR).toISOString()));

    let first = true;
    /**
     * Everything: the device's configs, the counters, a sensor per shown request; sensors no longer
     * shown removed. The first time after a start it does not know what it published before: the
     * requests that left the list in the last week are cleared too (clearing twice does no harm).
     */
    const publishAll = async () => {
      const store = await storeNode.store();
      const now = Date.now();
      const records = await store.read.haRequests(shown(now));
      const current = new Set(records.map((r) => r.id));
      const before = first ? await store.read.haGone(shown(now), new Date(now - 7 * 24 * HOUR).toISOString()) : [];
      first = false;
      const gone = [...new Set([...published, ...before])].filter((id) => !current.has(id));
      publish([
        ...deviceConfigs(options),
        await summary(store),
        ...records.flatMap((r) => requestSensor(options, r)),
        ...gone.flatMap((id) => removeRequestSensor(options, id)),
      ]);
      published.clear();
      current.forEach((id) => published.add(id));
      light.show('ok', 'media-ha.status.published', { count: published.size });
    };

    /** After a commit: those requests' sensors (added, updated or removed) and the counters. */
    const refresh = async (ids: number[]) => {
      const store = await storeNode.store();
      const since = shown(Date.now());
      const records = new Map((await store.read.requestsById(ids)).map((r) => [r.id, r]));
      const messages: MqttMessage[] = [];
      for (const id of ids) {
        const record = records.get(id);
        const show =
          record && !record.removedAt && (!['AVAILABLE', 'FAILED'].includes(record.state) || (record.availableAt !== null && record.availableAt >= since));
        if (show) {
          messages.push(...requestSensor(options, record));
          published.add(id);
        } else if (published.delete(id)) messages.push(...removeRequestSensor(options, id));
      }
      publish([...messages, await summary(store)]);
      light.show('ok', 'media-ha.status.published', { count: published.size });
    };
    let chain = Promise.resolve();
    const serially = (work: () => Promise<void>) => {
      chain = chain.then(work).catch((err: Error) => {
        light.showText('problem', err.message);
        this.error(err.message);
      });
      return chain;
    };
    const onCommitted = (ids: number[]) => void serially(() => refresh(ids));
    const stopUsingStore = useStore(storeNode, light, (store: StatusStore) => {
      store.on('committed', onCommitted);
      void serially(publishAll);
      return () => store.off('committed', onCommitted);
    });
    // Hourly: a request available for a day leaves Home Assistant.
    const timer = new Interval(
      HOUR,
      () => serially(publishAll),
      (err) => this.error(err.message),
    );

    this.on('input', (msg: NodeMessageInFlow, _send: Send, done: Done) => {
      // Home Assistant's birth message: it lost every discovered entity; offer them again.
      if (msg.topic === `${options.prefix}/status`) {
        if (String(msg.payload).trim() === 'online') return void serially(publishAll).then(() => done());
        return done();
      }
      const parsed = StateChangeSchema.safeParse(msg.payload);
      if (!parsed.success) return void serially(publishAll).then(() => done());
      const events = newsOf(msg.payload as StateChange).flatMap((n) => {
        const event = newsEvent(options, notificationOf([n], options.baseUrl));
        return event ? [event] : [];
      });
      publish(events);
      done();
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      stopUsingStore();
      void Promise.all([timer.stop(), chain]).finally(done);
    });
  }
  RED.nodes.registerType('media-ha', MediaHaNode);
};
