import assert from 'node:assert/strict';
import { callsOf, helper, lastStatus, loadFlow, nextMessage, placed, statusCalls, useSettings, type FlowNode } from '../../support/helper';
import { INTERSTELLAR, movieBodies } from '../../support/bodies';
import { event, run } from '../../support/events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/fixtures';
import type { NodeStatus } from 'node-red';
import { tempDir } from '../../support/tmp';
import { snapshotOf } from '../../support/snapshot';

/** media-notify in a real runtime: idle without what its service needs, a bad mapping named, a bad input refused. */

const dir = tempDir();

describe('media-notify', () => {
  beforeEach(() => useSettings({ userDir: dir }));
  afterEach(() => helper.unload());
  after(() => helper.settings({}));

  const flow = (notify: Record<string, unknown>) =>
    placed([
      { id: 'tab', type: 'tab' },
      { id: 'notify', z: 'tab', type: 'media-notify', digestSeconds: '0', ...notify, wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper', wires: [] },
      { id: 'catch', z: 'tab', type: 'catch', scope: ['notify'], uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper', wires: [] },
      { id: 'complete', z: 'tab', type: 'complete', scope: ['notify'], uncaught: false, wires: [['completed']] },
      { id: 'completed', z: 'tab', type: 'helper', wires: [] },
    ]);
  // A whole state change, as episode-state sends it: media-notify checks all of it.
  const change = {
    request: {
      ...snapshotOf(run([event('jellyseerr', movieBodies(INTERSTELLAR).approved)])),
      id: 3,
      state: 'AVAILABLE',
      requestedBy: 'kana',
      availableAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    },
    from: 'IMPORTING',
    to: 'AVAILABLE',
    summary: 'Interstellar (2014): ready to watch',
    episodes: [],
  };

  it('without what its service needs it is grey and idle: nothing goes out', async () => {
    await loadFlow(flow({ format: 'ntfy', server: '${NOT_SET}', recipient: '' }));
    assert.deepEqual(lastStatus(helper.getNode('notify')), { fill: 'grey', shape: 'ring', text: 'media-notify.status.notConfigured' });
    const completed = nextMessage(helper.getNode('completed'));
    helper.getNode('notify').receive({ payload: change });
    // Done with the message (the complete node says so), and nothing went out.
    await completed;
    assert.equal(callsOf(helper.getNode('notify'), 'send').length, 0);
  });

  it('routes by requester, and says which mapping line it cannot read', async () => {
    await loadFlow(flow({ format: 'ntfy', server: 'https://ntfy.example', recipient: 'all', recipients: 'kana = kana-topic\nnonsense', mode: 'both' }));
    assert.equal(lastStatus(helper.getNode('notify')).fill, 'red');
    assert.match(String(callsOf(helper.getNode('notify'), 'error')[0]?.args[0]), /recipients, line 2: expected "requester = recipient", got "nonsense"/);
    await helper.unload();
    await loadFlow(flow({ format: 'ntfy', server: 'https://ntfy.example', recipient: 'all', recipients: 'kana = kana-topic', mode: 'both' }));
    const first = nextMessage(helper.getNode('out'));
    helper.getNode('notify').receive({ payload: change });
    const msg = await first;
    assert.deepEqual(
      [msg.url, msg.method, msg.recipient, msg.payload.topic, msg.payload.title],
      ['https://ntfy.example/', 'POST', 'kana-topic', 'kana-topic', 'Available: Interstellar (2014)'],
    );
  });

  it('msg.test sends a sample now through the configured service, whatever the ticks and the digest; the dialog button does the same', async () => {
    await loadFlow(flow({ format: 'ntfy', server: 'https://ntfy.example', recipient: 'all', digestSeconds: '60', on_available: false }));
    const first = nextMessage(helper.getNode('out'));
    helper.getNode('notify').receive({ test: true });
    const msg = await first;
    assert.deepEqual(
      [msg.url, msg.recipient, msg.payload.topic, msg.payload.title],
      ['https://ntfy.example/', 'all', 'all', 'Available: Test notification from media status'],
    );
    const second = nextMessage(helper.getNode('out'));
    const pressed = await helper.request().post('/media-notify/notify/test').set('content-type', 'application/json').send({});
    assert.deepEqual([pressed.status, pressed.body], [200, { ok: true }]);
    assert.equal((await second).payload.title, 'Available: Test notification from media status');
    const forged = await helper
      .request()
      .post('/media-notify/notify/test')
      .set('content-type', 'application/json')
      .set('sec-fetch-site', 'cross-site')
      .send({});
    assert.equal(forged.status, 403);
    assert.equal((await helper.request().post('/media-notify/nope/test').set('content-type', 'application/json').send({})).status, 404);
    assert.equal(callsOf(helper.getNode('notify'), 'send').length, 2);
  });

  it('a test without what the service needs is an error naming it; nothing goes out', async () => {
    await loadFlow(flow({ format: 'ntfy', server: '${NOT_SET}', recipient: '' }));
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('notify').receive({ test: true });
    assert.match((await caught).error.message, /media-notify\.errors\.testNotConfigured/);
    assert.equal(callsOf(helper.getNode('notify'), 'send').length, 0);
  });

  it('news held for the digest shows in the status; a loopback status page address is warned about once', async () => {
    await loadFlow(flow({ format: 'ntfy', server: 'https://ntfy.example', recipient: 'all', digestSeconds: '60', on_available: true }));
    const notify = helper.getNode('notify');
    assert.deepEqual(
      callsOf(notify, 'warn').map((c) => c.args[0]),
      ['media-notify.warnings.loopbackLink'],
    );
    const completed = nextMessage(helper.getNode('completed'));
    notify.receive({ payload: { ...change, request: { ...change.request, state: 'IMPORTING' }, from: 'DOWNLOADED', to: 'IMPORTING' } });
    await completed;
    const completedAgain = nextMessage(helper.getNode('completed'));
    notify.receive({ payload: change });
    await completedAgain;
    assert.deepEqual(lastStatus(notify), { fill: 'green', shape: 'dot', text: 'media-notify.status.held' });
    assert.equal(callsOf(notify, 'send').length, 0);
    await helper.unload();
    await loadFlow(flow({ format: 'ntfy', server: 'https://ntfy.example', recipient: 'all', baseUrl: 'https://media.example' }));
    assert.equal(callsOf(helper.getNode('notify'), 'warn').length, 0);
  });

  it("an arr's health notice, when 'service health' is ticked, goes at once to the household's recipient; unticked, nothing", async () => {
    const notice = {
      kind: 'health',
      instance: 'Radarr',
      source: 'radarr',
      level: 'error',
      message: 'All download clients are unavailable due to failures',
      check: 'DownloadClientStatusCheck',
      at: '2026-01-01T00:00:00.000Z',
      restored: false,
    };
    await loadFlow(
      flow({ format: 'ntfy', server: 'https://ntfy.example', recipient: 'all', digestSeconds: '60', on_health: true, baseUrl: 'https://media.example' }),
    );
    const first = nextMessage(helper.getNode('out'));
    helper.getNode('notify').receive({ topic: 'media-status/service/Radarr', payload: notice });
    const msg = await first;
    assert.deepEqual(
      [msg.topic, msg.payload.topic, msg.payload.title, msg.payload.message, msg.payload.priority, msg.payload.click],
      ['media-status/service/health', 'all', 'Radarr: error', 'All download clients are unavailable due to failures', 4, 'https://media.example/media-status'],
    );
    await helper.unload();
    await loadFlow(flow({ format: 'ntfy', server: 'https://ntfy.example', recipient: 'all', baseUrl: 'https://media.example' }));
    const completed = nextMessage(helper.getNode('completed'));
    helper.getNode('notify').receive({ payload: notice });
    await completed;
    assert.equal(callsOf(helper.getNode('notify'), 'send').length, 0);
  });

  it('a message that is not a state change ends in done(err) for a Catch node', async () => {
    await loadFlow(flow({ format: 'generic' }));
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('notify').receive({ payload: { request: { id: 'x' } } });
    // The helper runtime has no message catalogs: the key stands for "not a state change from episode-state: <zod's path and message>".
    assert.match((await caught).error.message, /media-notify\.errors\.notAChange/);
  });
});

describe('media-ha', () => {
  beforeEach(() => useSettings({ userDir: dir }));
  afterEach(() => helper.unload());
  after(() => helper.settings({}));

  const flow = () =>
    placed([
      { id: 'tab', type: 'tab' },
      { id: 'store', type: 'status-store', path: join(dir, `ha-${Date.now()}.db`) },
      { id: 'ha', z: 'tab', type: 'media-ha', store: 'store', wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper', wires: [] },
      { id: 'catch', z: 'tab', type: 'catch', scope: ['ha'], uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper', wires: [] },
      { id: 'complete', z: 'tab', type: 'complete', scope: ['ha'], uncaught: false, wires: [['completed']] },
      { id: 'completed', z: 'tab', type: 'helper', wires: [] },
    ]);

  /** What media-ha has published (its sends, counted as they are made), once its first full publish (when the store opens) is out. */
  const firstPublish = async () => {
    const ha = helper.getNode('ha');
    while (!statusCalls(ha).some((c) => (c.args[0] as NodeStatus).fill === 'green')) await new Promise((resolve) => setImmediate(resolve));
    return () => callsOf(ha, 'send').length;
  };

  it("Home Assistant's online repeated 21 times within 30 s republishes once, not 21 times", async () => {
    await loadFlow(flow());
    const published = await firstPublish();
    const once = published();
    assert.ok(once > 5, `a full publish is ${once} messages`);
    const ha = helper.getNode('ha');
    for (let i = 0; i < 21; i++) {
      const completed = nextMessage(helper.getNode('completed'));
      ha.receive({ topic: 'homeassistant/status', payload: 'online' });
      await completed;
    }
    // Closing waits for every publish under way (and drops the one due at the end of the 30 s): what went out is final.
    await helper.unload();
    assert.equal(published(), 2 * once, 'the first publish and one republish');
  });

  it('the example without MQTT_URL: grey and idle, its broker never connects, news publishes nothing', async () => {
    delete process.env.MQTT_URL;
    const example = (JSON.parse(readFileSync(join(ROOT, 'examples', 'home-assistant-mqtt.json'), 'utf8')) as FlowNode[]).filter(
      (n) => n.type !== 'link in' && n.type !== 'comment',
    );
    const ha = example.find((n) => n.type === 'media-ha') as FlowNode & { z: string; store: string };
    const broker = example.find((n) => n.type === 'mqtt-broker')!;
    await loadFlow([
      ...example,
      { id: ha.store, type: 'status-store', path: join(dir, `ha-idle-${Date.now()}.db`) },
      { id: 'complete', z: ha.z, type: 'complete', scope: [ha.id], uncaught: false, wires: [['completed']] },
      { id: 'completed', z: ha.z, type: 'helper', wires: [] },
    ]);
    const node = helper.getNode(ha.id);
    assert.deepEqual(lastStatus(node), { fill: 'grey', shape: 'ring', text: 'media-ha.status.noBroker' });
    const completed = nextMessage(helper.getNode('completed'));
    node.receive({ payload: { request: { id: 1 }, from: 'DOWNLOADING', to: 'AVAILABLE' } });
    await completed;
    const mqttBroker = helper.getNode(broker.id) as unknown as { client?: unknown; connecting?: boolean };
    assert.deepEqual([mqttBroker.client, !!mqttBroker.connecting], [undefined, false]);
    assert.equal(callsOf(node, 'send').length, 0);
  });

  it("a service's health notice (beside the state changes) is not for its entities: finished, nothing published, no error", async () => {
    await loadFlow(flow());
    const published = await firstPublish();
    const once = published();
    const completed = nextMessage(helper.getNode('completed'));
    helper.getNode('ha').receive({
      payload: {
        kind: 'health',
        instance: 'Radarr',
        source: 'radarr',
        level: 'error',
        message: 'down',
        check: null,
        at: '2026-01-01T00:00:00.000Z',
        restored: false,
      },
    });
    await completed;
    assert.equal(callsOf(helper.getNode('ha'), 'error').length, 0);
    await helper.unload();
    assert.equal(published(), once);
  });

  it('a message that is not a state change is an error a Catch node takes, and publishes nothing', async () => {
    await loadFlow(flow());
    const published = await firstPublish();
    const once = published();
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('ha').receive({ payload: { request: { id: 1 }, from: null, to: 'AVAILABLE' } });
    assert.match((await caught).error.message, /media-ha\.errors\.notAChange/);
    await helper.unload();
    assert.equal(published(), once);
  });
});
