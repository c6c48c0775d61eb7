import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { Coalesced } from '../../lib/coalesce';
import { configValue } from '../../lib/config-values';
import { formatIssues } from '../../lib/sources/schema-helpers';
import { HaEntities, type HaOptions, type MqttMessage } from '../../lib/ha/discovery';
import { DEFAULT_BASE_URL, newsOf } from '../../lib/notify/news';
import type { StatusStore } from '../../lib/store/store';
import { StateChangeSchema } from '../../lib/tracker/messages';
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
const REPUBLISH_MS = 30_000;

export = (RED: RED) => {
  function MediaHaNode(this: Node, config: MediaHaConfig) {
    RED.nodes.createNode(this, config);
    const light = new StatusLight(RED, this);
    const storeNode = requiredStore(RED, this, 'media-ha', config.store);
    if (!storeNode) return;
    const options: HaOptions = {
      prefix: (configValue(config.prefix) || 'homeassistant').replace(/\/+$/, ''),
      base: (configValue(config.base) || 'media-status').replace(/\/+$/, ''),
      baseUrl: configValue(config.baseUrl) || DEFAULT_BASE_URL,
      version: VERSION,
    };
    const entities = new HaEntities(options, numberFrom(config.keepHours, 24) * HOUR);
    const publish = (messages: MqttMessage[]) => {
      for (const m of messages) this.send({ topic: m.topic, payload: m.payload, retain: m.retain, qos: m.qos });
      light.show('ok', 'media-ha.status.published', { count: entities.count });
    };
    const publishAll = async () => {
      const store = await storeNode.store();
      return publish(await entities.all(store.read, await store.outlook.view()));
    };
    const refresh = async (ids: number[]) => {
      const store = await storeNode.store();
      return publish(await entities.changed(store.read, ids, await store.outlook.view()));
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

    // Home Assistant's birth message: it lost every discovered entity; offer them again, at most every 30 s.
    const republish = new Coalesced(REPUBLISH_MS, () => void serially(publishAll));

    this.on('input', (msg: NodeMessageInFlow, _send: Send, done: Done) => {
      if (msg.topic === `${options.prefix}/status`) {
        if (typeof msg.payload === 'string' && msg.payload.trim() === 'online') republish.request();
        return done();
      }
      const parsed = StateChangeSchema.safeParse(msg.payload);
      if (!parsed.success) return done(new Error(RED._('media-ha.errors.notAChange', { detail: formatIssues(parsed.error) })));
      publish(entities.news(newsOf(parsed.data)));
      done();
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      republish.stop();
      stopUsingStore();
      void Promise.all([timer.stop(), chain]).finally(done);
    });
  }
  RED.nodes.registerType('media-ha', MediaHaNode);
};
