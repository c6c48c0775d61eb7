import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseWebhook } from '../../lib/services/webhooks';
import { track } from '../../lib/tracker/track';
import { FakeJellyfin } from '../fakes/jellyfin';
import { FakeQbittorrent } from '../fakes/qbittorrent';
import { INTERSTELLAR, movieBodies } from '../support/bodies';
import { callsOf, helper, lastStatus, loadFlow, nextMessage, placed, storeOf } from '../support/helper';
import { tempDir } from '../support/tmp';

/** qbit-progress, jellyfin-verify and the store's stuck check (through episode-state) in a real Node-RED runtime. */

const dir = tempDir();
let qbit: FakeQbittorrent;
let jellyfin: FakeJellyfin;
let db = 0;

describe('background nodes (qBittorrent, Jellyfin)', () => {
  before(async () => {
    qbit = new FakeQbittorrent({ username: 'u', password: 'p' });
    jellyfin = new FakeJellyfin('k');
    await Promise.all([qbit.start(), jellyfin.start()]);
  });
  after(async () => {
    await Promise.all([qbit.stop(), jellyfin.stop()]);
    helper.settings({});
  });
  beforeEach(() => helper.settings({ userDir: dir }));
  afterEach(() => helper.unload());

  function flow(qbitUrl: string, jellyfinUrl: string) {
    return placed([
      { id: 'tab', type: 'tab' },
      { id: 'store', type: 'status-store', path: join(dir, `bg${++db}.db`), stuckCheckSeconds: '0', stuckMinutes: 'APPROVED=30' },
      { id: 'qs', type: 'qbittorrent-server', url: qbitUrl, usernameEnv: '', passwordEnv: '' },
      { id: 'js', type: 'jellyfin-server', url: jellyfinUrl, apiKeyEnv: '' },
      { id: 'qp', z: 'tab', type: 'qbit-progress', server: 'qs', store: 'store', interval: '0', wires: [['events'], ['done']] },
      { id: 'jv', z: 'tab', type: 'jellyfin-verify', server: 'js', store: 'store', interval: '0', wires: [['events'], ['done']] },
      { id: 'state', z: 'tab', type: 'episode-state', store: 'store', wires: [['done'], ['changes'], []] },
      { id: 'events', z: 'tab', type: 'helper', wires: [] },
      { id: 'done', z: 'tab', type: 'helper', wires: [] },
      { id: 'changes', z: 'tab', type: 'helper', wires: [] },
    ]);
  }

  async function grab() {
    const store = await storeOf();
    const parsed = parseWebhook(movieBodies(INTERSTELLAR).grab, 'radarr');
    assert.ok(parsed.ok);
    return track(store, parsed.event);
  }

  describe('qbit-progress and jellyfin-verify', () => {
    it('without URLs both stay idle and grey, and still pass an input message on', async () => {
      await loadFlow(flow('${QBIT_URL_UNSET}', ''));
      assert.deepEqual(lastStatus(helper.getNode('qp')), { fill: 'grey', shape: 'ring', text: 'qbit-progress.status.notConfigured' });
      assert.deepEqual(lastStatus(helper.getNode('jv')), { fill: 'grey', shape: 'ring', text: 'jellyfin-verify.status.notConfigured' });
      const done = nextMessage(helper.getNode('done'));
      helper.getNode('jv').receive({ payload: { id: 1 } });
      assert.equal((await done).payload.kind, 'ignored');
    });

    it('a wrong password is a red status; with nothing active no request is sent, whatever triggered it', async () => {
      await loadFlow(flow(qbit.url, jellyfin.url), { qs: { username: 'u', password: 'wrong' } });
      const node = helper.getNode('qp');
      let done = nextMessage(helper.getNode('done'));
      node.receive({ payload: 'poll' });
      await done;
      assert.equal(qbit.logins.length + qbit.infoCalls.length, 0, 'nothing active: nothing asked');
      await grab();
      done = nextMessage(helper.getNode('done'));
      node.receive({ payload: 'poll' });
      await done;
      assert.deepEqual(lastStatus(node), { fill: 'red', shape: 'ring', text: 'qBittorrent refused the username or password' });
      // And once in the log: the URL tried (never the password) and what to check; not again for the same failure.
      done = nextMessage(helper.getNode('done'));
      node.receive({ payload: 'poll' });
      await done;
      assert.deepEqual(
        callsOf(node, 'error').map((c) => c.args[0]),
        [`qBittorrent refused the username or password (${qbit.url}): check the URL, that the service runs, and its credentials`],
      );
    });

    it('polls on an input message and emits progress events', async () => {
      await loadFlow(flow(qbit.url, jellyfin.url), { qs: { username: 'u', password: 'p' } });
      await grab();
      qbit.set({ hash: INTERSTELLAR.hash, progress: 0.25, state: 'downloading', dlspeed: 1000, eta: 60 });
      const event = nextMessage(helper.getNode('events'));
      helper.getNode('qp').receive({ payload: 'now' });
      const msg = await event;
      assert.deepEqual(
        [msg.topic, msg.payload.kind, msg.payload.state, msg.payload.progress],
        [`qbittorrent/${INTERSTELLAR.hash}`, 'download-progress', 'DOWNLOADING', 0.25],
      );
    });

    it('Jellyfin down: a red status and a "not found" answer, no crash', async () => {
      await loadFlow(flow(qbit.url, jellyfin.url), { js: { apiKey: 'k' } });
      const r = await grab();
      jellyfin.down = true;
      try {
        const done = nextMessage(helper.getNode('done'));
        helper.getNode('jv').receive({ payload: { id: r.request!.id } });
        const msg = await done;
        assert.equal(msg.payload.kind, 'ignored');
        assert.match(msg.payload.reason, /^Jellyfin is unreachable/);
        assert.match(String(lastStatus(helper.getNode('jv')).text), /^Jellyfin is unreachable/);
        const logged = callsOf(helper.getNode('jv'), 'error').map((c) => String(c.args[0]));
        assert.equal(logged.length, 1, logged.join('\n'));
        assert.ok(logged[0]!.startsWith('Jellyfin is unreachable') && logged[0]!.includes(`(${jellyfin.url})`), logged[0]);
      } finally {
        jellyfin.down = false;
      }
    });
  });

  describe('episode-state stuck check', () => {
    it('a check-stuck message with a later clock flags the request on the state-change output', async () => {
      await loadFlow(flow(qbit.url, jellyfin.url));
      const store = await storeOf();
      const parsed = parseWebhook(movieBodies(INTERSTELLAR).approved, 'jellyseerr');
      assert.ok(parsed.ok);
      const created = await track(store, parsed.event);
      const later = new Date(Date.parse(created.request!.progressAt) + 45 * 60000).toISOString();
      const change = nextMessage(helper.getNode('changes'));
      const done = nextMessage(helper.getNode('done'));
      helper.getNode('state').receive({ topic: 'media-status/check-stuck', now: later });
      const msg = await change;
      assert.equal(msg.payload.request.attention.reason, 'stuck in APPROVED for 45 min', "the store's APPROVED=30 threshold");
      assert.equal(msg.payload.summary, 'Interstellar (2014): approved (needs attention: stuck in APPROVED for 45 min)');
      assert.deepEqual((await done).payload, { ok: true, flagged: 1 });
    });
  });
});
