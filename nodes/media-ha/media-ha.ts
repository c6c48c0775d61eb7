import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { Coalesced } from '../../lib/coalesce';
import { configValue } from '../../lib/config-values';
import { formatIssues } from '../../lib/services/http/schema-helpers';
import type { HaOptions, MqttMessage } from '../../lib/ha/discovery';
import { HaEntities } from '../../lib/ha/entities';
import { DEFAULT_BASE_URL, newsOf } from '../../lib/notify/news';
import type { StatusStore } from '../../lib/store/store';
import { ServiceNoticeSchema, StateChangeSchema } from '../../lib/tracker/messages';
import { requiredStore, type Done, type Send } from '../shared/config-node';
import { numberFrom } from '../shared/config-values';
import { closeWith, Interval } from '../shared/interval';
import type { RED } from '../shared/red';
import { startFlowNode } from '../shared/status';
import { useStore } from '../shared/store-user';

interface MediaHaConfig extends NodeDef {
  store: string;
  prefix: string;
  base: string;
  baseUrl: string;
  keepHours: string;
  /** The mqtt-broker its mqtt out uses, when set: idle without a broker URL, connected by this node. */
  broker?: string;
}

/** What media-ha reads of Node-RED's own mqtt-broker config node: its URL (env variables resolved). */
type MqttBrokerNode = Node & { broker?: string; connected?: boolean };

/** A Status node's report that the mqtt out it watches is connected (again). */
function connectedReport(msg: NodeMessageInFlow): boolean {
  const status = (msg as { status?: { text?: unknown; source?: { type?: unknown } } }).status;
  return status?.source?.type === 'mqtt out' && typeof status.text === 'string' && /(^|\.)connected$/.test(status.text);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require('../../../package.json') as { version: string }).version;
const HOUR = 3_600_000;
const REPUBLISH_MS = 30_000;

export = (RED: RED) => {
  function MediaHaNode(this: Node, config: MediaHaConfig) {
    const { light, clock } = startFlowNode(RED, this, config);
    const storeNode = requiredStore(RED, this, 'media-ha', config.store);
    if (!storeNode) return;
    const broker = config.broker ? (RED.nodes.getNode(config.broker) as MqttBrokerNode | null) : undefined;
    if (broker !== undefined && !configValue(broker?.broker)) {
      light.show('off', 'media-ha.status.noBroker');
      this.on('input', (_msg: NodeMessageInFlow, _send: Send, done: Done) => done());
      return;
    }
    const options: HaOptions = {
      prefix: (configValue(config.prefix) || 'homeassistant').replace(/\/+$/, ''),
      base: (configValue(config.base) || 'media-status').replace(/\/+$/, ''),
      baseUrl: configValue(config.baseUrl) || DEFAULT_BASE_URL,
      version: VERSION,
    };
    const entities = new HaEntities(options, numberFrom(config.keepHours, 24) * HOUR, () => clock.now());
    const publish = (messages: MqttMessage[]) => {
      for (const m of messages) this.send({ topic: m.topic, payload: m.payload, retain: m.retain, qos: m.qos });
      light.show('ok', 'media-ha.status.published', { count: entities.count });
    };
    const publishAll = async () => {
      const store = await storeNode.store();
      return store.hold(async () => publish(await entities.all(store.read.ha, await store.outlook.view())));
    };
    const refresh = async (ids: number[]) => {
      const store = await storeNode.store();
      return store.hold(async () => publish(await entities.changed(store.read.ha, ids, await store.outlook.view())));
    };
    let chain = Promise.resolve();
    const serially = (work: () => Promise<void>) => {
      chain = chain.then(work).catch((err: Error) => light.report(err.message));
      return chain;
    };
    const onCommitted = (ids: number[]) => void serially(() => refresh(ids));
    // Home Assistant's birth message: it lost every discovered entity; offer them again, at most every 30 s.
    const republish = new Coalesced(REPUBLISH_MS, () => void serially(publishAll), clock);
    const stopUsingStore = useStore(storeNode, light, (store: StatusStore) => {
      store.on('committed', onCommitted);
      // With its broker named, the node connects it and publishes once the Status node says it is connected.
      if (broker && !broker.connected) {
        light.show('waiting', 'media-ha.status.connecting');
        this.send({ action: 'connect' });
      } else void serially(publishAll);
      return () => store.off('committed', onCommitted);
    });
    // Hourly: a request available for a day leaves Home Assistant.
    const timer = new Interval(
      clock,
      HOUR,
      () => serially(publishAll),
      (err) => this.error(err.message),
    );

    this.on('input', (msg: NodeMessageInFlow, _send: Send, done: Done) => {
      if (connectedReport(msg)) {
        void serially(publishAll);
        return done();
      }
      if (msg.topic === `${options.prefix}/status`) {
        if (typeof msg.payload === 'string' && msg.payload.trim() === 'online') republish.request();
        return done();
      }
      // A service's health notice rides beside the state changes: not for these entities.
      if (ServiceNoticeSchema.safeParse(msg.payload).success) return done();
      const parsed = StateChangeSchema.safeParse(msg.payload);
      if (!parsed.success) return done(new Error(RED._('media-ha.errors.notAChange', { detail: formatIssues(parsed.error) })));
      publish(entities.news(newsOf(parsed.data)));
      done();
    });
    closeWith(
      this,
      () => republish.stop(),
      stopUsingStore,
      () => timer.stop(),
      () => chain,
    );
  }
  RED.nodes.registerType('media-ha', MediaHaNode);
};
