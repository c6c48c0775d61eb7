import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { INTERSTELLAR, movieBodies, type Hook } from '../support/bodies';
import { ROOT } from '../support/fixtures';
import { NodeRedClock, postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { eventually } from '../support/eventually';

/**
 * The Home Assistant example (media-ha into the core mqtt out) in a real Node-RED against a real
 * broker (Debian's Mosquitto, started here): discovery configs retained and valid, states following a
 * request, events never retained, a request's sensor removed after it became available, everything
 * published again when Home Assistant announces itself.
 */

const MOSQUITTO = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';
const dir = tempDir('mst-ha-');
const HOUR = 3_600_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type Seen = { topic: string; payload: string; retain: boolean };

/** A client that records everything under `#`; `retained()` is what a newcomer would get. */
async function listen(url: string): Promise<{ client: MqttClient; seen: Seen[] }> {
  const client = connect(url, { clientId: `test-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0 });
  const seen: Seen[] = [];
  client.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe('#', { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    client.once('error', reject);
  });
  return { client, seen };
}

/** What a client connecting now gets from the broker's retained store (waits for it to settle). */
async function retainedNow(url: string): Promise<Map<string, string>> {
  const { client, seen } = await listen(url);
  await new Promise((resolve) => setTimeout(resolve, 300));
  client.end(true);
  return new Map(seen.filter((s) => s.retain).map((s) => [s.topic, s.payload]));
}

const until = <T>(what: string, check: () => T | undefined): Promise<T> => eventually(what, check, { timeoutMs: 10_000 });

describe('the Home Assistant example over MQTT', () => {
  let broker: ChildProcess;
  let url: string;
  let red: RunningNodeRed;
  let live: { client: MqttClient; seen: Seen[] } | undefined;
  let clock: NodeRedClock;

  before(async function () {
    if (!existsSync(MOSQUITTO)) {
      console.log(`    skipped: Mosquitto is not installed at ${MOSQUITTO} (apt-get install mosquitto)`);
      this.skip();
    }
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    broker = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
    url = `mqtt://127.0.0.1:${port}`;
    // The broker listens once it has read its configuration: connect as soon as it does.
    for (let attempt = 0; !live; attempt++) {
      try {
        live = await listen(url);
      } catch (err) {
        if (attempt > 50 || broker.exitCode !== null) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const userDir = join(dir, 'node-red');
    clock = new NodeRedClock(userDir);
    const flows = ['media-status-tracker', 'home-assistant-mqtt'].flatMap((name) => JSON.parse(readFileSync(join(ROOT, 'examples', `${name}.json`), 'utf8')));
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows));
    red = await start();
  });
  const start = () =>
    startNodeRed(join(dir, 'node-red'), { STATUS_DB: join(dir, 'ha.db'), MQTT_URL: url, STATUS_BASE_URL: 'https://media.example', HA_KEEP_HOURS: '1' });
  after(async () => {
    live?.client.end(true);
    await red?.stop();
    broker?.kill();
  });

  const configOf = (retained: Map<string, string>, topic: string) => JSON.parse(retained.get(topic) ?? 'null');

  it('publishes valid, retained discovery configs for one device: the counters and the news event', async () => {
    const retained = await until('the discovery configs', () =>
      live!.seen.some((s) => s.topic === 'homeassistant/event/media_status/news/config') ? true : undefined,
    ).then(() => retainedNow(url));
    for (const key of ['in_progress', 'downloading', 'attention', 'available_week']) {
      const config = configOf(retained, `homeassistant/sensor/media_status/${key}/config`);
      assert.ok(config, `${key} is retained`);
      assert.deepEqual(
        [
          config.unique_id,
          config.default_entity_id,
          config.state_topic,
          config.value_template,
          config.device.identifiers,
          config.device.name,
          config.origin.name,
          'object_id' in config,
        ],
        [
          `media_status_${key}`,
          `sensor.media_status_${key}`,
          'media-status/summary',
          `{{ value_json.${key} }}`,
          ['media_status'],
          'Media status',
          'node-red-contrib-media-status-tracker',
          false,
        ],
      );
    }
    const event = configOf(retained, 'homeassistant/event/media_status/news/config');
    assert.deepEqual(event.event_types, ['available', 'episodes_available', 'failed', 'needs_attention']);
    assert.equal(event.state_topic, 'media-status/event');
    assert.equal(retained.get('media-status/availability'), 'online');
    assert.deepEqual(JSON.parse(retained.get('media-status/summary') ?? '{}'), { in_progress: 0, downloading: 0, attention: 0, available_week: 0 });
  });

  it('a request gets a sensor whose state follows it, an event (never retained) when it becomes available, and leaves after the keep time; Home Assistant online gets everything again', async () => {
    const m = movieBodies({ ...INTERSTELLAR, title: 'HA Film', tmdb: 4040, requestId: 4040, radarrId: 40, hash: '4'.repeat(40) });
    const post = async (list: Hook[]) => {
      for (const [source, body] of list) assert.equal((await postHook(red.url, source, body)).status, 200);
    };
    await post([['jellyseerr', m.approved]]);
    const configTopic = await until(
      'the request sensor',
      () => live!.seen.find((s) => /^homeassistant\/sensor\/media_status\/request_\d+\/config$/.test(s.topic))?.topic,
    );
    const id = /request_(\d+)/.exec(configTopic)![1];
    const config = configOf(await retainedNow(url), configTopic);
    assert.deepEqual(
      [config.name, config.unique_id, config.default_entity_id, config.state_topic, config.json_attributes_topic],
      ['HA Film (2014)', `media_status_request_${id}`, `sensor.media_status_request_${id}`, `media-status/request/${id}`, `media-status/request/${id}`],
    );
    const stateOf = () => {
      const last = live!.seen.filter((s) => s.topic === `media-status/request/${id}` && s.payload).at(-1);
      return last && JSON.parse(last.payload);
    };
    assert.equal((await until('approved', () => (stateOf()?.state === 'approved' ? stateOf() : undefined))).attributes.requester, 'adept');
    await post([['radarr', m.grab]]);
    await until('grabbing', () => (stateOf()?.state === 'grabbing' ? true : undefined));
    await until('in progress 1', () => live!.seen.some((s) => s.topic === 'media-status/summary' && JSON.parse(s.payload).downloading === 1) || undefined);

    await post([
      ['radarr', m.imported],
      ['jellyfin', m.jellyfin],
    ]);
    const event = await until('the available event', () => live!.seen.find((s) => s.topic === 'media-status/event'));
    assert.equal(event.retain, false);
    assert.deepEqual((({ event_type, title, request_id }) => ({ event_type, title, request_id }))(JSON.parse(event.payload)), {
      event_type: 'available',
      title: 'Available: HA Film (2014)',
      request_id: Number(id),
    });
    assert.equal((await retainedNow(url)).has('media-status/event'), false, 'a newcomer gets no old event');

    // Past the keep time (HA_KEEP_HOURS: an hour), Home Assistant comes online: configs again, the finished request's sensor removed.
    clock.advance(2 * HOUR);
    const before = live!.seen.length;
    live!.client.publish('homeassistant/status', 'online', { qos: 1 });
    await until(
      'the configs again',
      () => live!.seen.slice(before).some((s) => s.topic === 'homeassistant/sensor/media_status/in_progress/config') || undefined,
    );
    await until('the sensor removed', () => live!.seen.slice(before).some((s) => s.topic === configTopic && s.payload === '') || undefined);
    const retained = await retainedNow(url);
    assert.equal(retained.has(configTopic), false, 'no ghost entity');
    assert.equal(retained.has(`media-status/request/${id}`), false);
    assert.ok(retained.has('homeassistant/sensor/media_status/in_progress/config'));
  });

  it('a sensor whose keep time passed while Node-RED was stopped is cleared when it starts again', async () => {
    const m = movieBodies({ ...INTERSTELLAR, title: 'Restart Film', tmdb: 5050, requestId: 5050, radarrId: 50, hash: '5'.repeat(40) });
    for (const [source, body] of [
      ['jellyseerr', m.approved],
      ['radarr', m.grab],
      ['radarr', m.imported],
      ['jellyfin', m.jellyfin],
    ] as Hook[])
      assert.equal((await postHook(red.url, source, body)).status, 200);
    const configTopic = await until(
      'its sensor',
      () => live!.seen.find((s) => /^homeassistant\/sensor\/media_status\/request_\d+\/config$/.test(s.topic) && s.payload.includes('Restart Film'))?.topic,
    );
    assert.ok((await retainedNow(url)).has(configTopic));
    await red.stop();
    clock.advance(2 * HOUR);
    red = await start();
    await until('the sensor cleared', () => live!.seen.some((s) => s.topic === configTopic && s.payload === '') || undefined);
    assert.equal((await retainedNow(url)).has(configTopic), false);
  });
});
