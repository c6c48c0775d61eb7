import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { INTERSTELLAR, LYCORIS, movieBodies, showBodies } from '../support/bodies';
import { fixture, fixtureText } from '../support/fixtures';
import { callsOf, helper, httpNode, lastStatus, loadFlow, nextMessage, placed, redeploy, statusCalls, storeOf } from '../support/helper';
import { trackerFlows } from '../support/flows';
import { tempDir } from '../support/tmp';

/* eslint-disable @typescript-eslint/no-explicit-any */

const dir = tempDir();
const { storeConfig, trackerFlow } = trackerFlows(dir);

const post = (body: unknown) =>
  request(httpNode())
    .post('/hook')
    .set('content-type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));

describe('nodes in a Node-RED runtime', () => {
  beforeEach(() => helper.settings({ userDir: dir }));
  afterEach(async () => {
    await helper.unload();
  });
  after(() => helper.settings({}));

  describe('arr-webhook-parse', () => {
    it('emits one normalised event with a topic; rejects a bad body on output 2 with 400 and the zod path', async () => {
      await loadFlow(trackerFlow());
      const events = helper.getNode('events');
      const got = nextMessage(events);
      await post(fixture('radarr-grab')).expect(200);
      const msg = await got;
      assert.equal(msg.topic, 'radarr/grabbed');
      assert.equal(msg.payload.kind, 'grabbed');
      assert.equal(msg.payload.downloadId, 'C2C60F66C126652A86F7F2EE73DC83D4E255929E');

      const bad = fixture('radarr-grab');
      bad.movie.tmdbId = 'x';
      const rejected = nextMessage(helper.getNode('rejected'));
      const res = await post(bad).expect(400).expect('content-type', /json/);
      assert.deepEqual(res.body, { ok: false, error: 'movie.tmdbId: expected number, received string' });
      assert.equal((await rejected).statusCode, 400);
      assert.equal(lastStatus(helper.getNode('parse')).fill, 'red');
    });

    it('answers truncated JSON and text/plain bodies itself (raw body from http in)', async () => {
      await loadFlow(trackerFlow());
      const res = await post(fixtureText('sonarr-grab-season-pack').slice(0, 500)).expect(400);
      assert.match(res.body.error, /^body: not valid JSON/);
      const text = await request(httpNode()).post('/hook').set('content-type', 'text/plain').send(fixtureText('jellyfin-item-added-movie')).expect(200);
      assert.equal(text.body.outcome, 'unmatched');
    });

    it('with a secret credential: 401 without it, accepted as Bearer, Basic password, X-Webhook-Secret or ?token=', async () => {
      await loadFlow(trackerFlow(), { parse: { secret: 's3cret' } });
      const body = JSON.stringify(fixture('sonarr-test'));
      const res = await post(body).expect(401);
      assert.equal(res.body.ok, false);
      assert.equal(JSON.stringify(res.body).includes('s3cret'), false);
      await post(body).set('authorization', 'Bearer wrong').expect(401);
      await post(body).set('authorization', 'Bearer s3cret').expect(200);
      await post(body).set('authorization', 's3cret').expect(200);
      await post(body).auth('sonarr', 's3cret').expect(200);
      await post(body).set('x-webhook-secret', 's3cret').expect(200);
      await request(httpNode()).post('/hook?token=s3cret').set('content-type', 'application/json').send(body).expect(200);
      const status = statusCalls(helper.getNode('parse'))
        .map((c: any) => c.args[0].text)
        .join(' ');
      assert.equal(status.includes('s3cret'), false, 'the secret never reaches the status');
    });

    it('takes the secret from an environment variable named in the node', async () => {
      process.env.MST_TEST_SECRET = 'from-env';
      try {
        await loadFlow(trackerFlow({ secretEnv: 'MST_TEST_SECRET' }));
        await post(fixture('sonarr-test')).expect(401);
        await post(fixture('sonarr-test')).set('x-webhook-secret', 'from-env').expect(200);
      } finally {
        delete process.env.MST_TEST_SECRET;
      }
    });
  });

  describe('episode-state', () => {
    it('answers after the commit and emits a state change ready for a notifier', async () => {
      await loadFlow(trackerFlow());
      const b = showBodies(LYCORIS);
      const change = nextMessage(helper.getNode('changes'));
      const res = await post(b.approved).expect(200);
      assert.deepEqual(res.body, { ok: true, outcome: 'changed', requestId: 1, state: 'APPROVED' });
      const first = await change;
      assert.equal(first.topic, 'media-status/1');
      assert.equal(first.payload.from, null);
      assert.equal(first.payload.to, 'APPROVED');
      assert.equal(first.payload.summary, 'Lycoris Recoil (2022): approved');
      assert.equal(first.req, undefined, 'notification messages do not carry the HTTP request');

      const grabbed = nextMessage(helper.getNode('changes'));
      await post(b.grab()).expect(200);
      assert.equal((await grabbed).payload.summary, 'Lycoris Recoil (2022): 13/13 episodes grabbed');
      const imported = nextMessage(helper.getNode('changes'));
      await post(b.importComplete()).expect(200);
      const msg = await imported;
      assert.deepEqual([msg.payload.from, msg.payload.to], ['GRABBING', 'IMPORTING']);
      assert.equal(msg.payload.request.episodeCounts.IMPORTING, 13);
      assert.equal(msg.payload.summary, 'Lycoris Recoil (2022): 13/13 episodes imported');
    });

    it('sends unmatched, test and notice events to output 3 with the reason', async () => {
      await loadFlow(trackerFlow());
      const untracked = helper.getNode('untracked');
      let got = nextMessage(untracked);
      assert.equal((await post(fixture('radarr-test')).expect(200)).body.outcome, 'test');
      assert.equal((await got).payload.outcome, 'test');
      got = nextMessage(untracked);
      await post(fixture('jellyfin-item-added-movie')).expect(200);
      assert.deepEqual(await got.then((m) => [m.topic, m.payload.reason]), ['media-status/unmatched', 'no tracked movie with these provider ids']);
      got = nextMessage(untracked);
      // A health notice also rides beside the state changes, for the notifiers.
      const notice = nextMessage(helper.getNode('changes'));
      await post(fixture('sonarr-health')).expect(200);
      assert.equal((await got).payload.outcome, 'notice');
      const health = await notice;
      assert.deepEqual(
        [health.topic, health.payload.kind, health.payload.instance, health.payload.restored],
        ['media-status/service/Sonarr', 'health', 'Sonarr', false],
      );
    });

    it('a message that is not a media event ends in done(err) for a Catch node', async () => {
      await loadFlow(trackerFlow());
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('state').receive({ payload: { kind: 'grabbed' } });
      const msg = await caught;
      assert.match(msg.error.message, /episode-state\.errors\.badEvent/);
    });

    it('"an import is available", ticked on the status-store, takes an import straight to AVAILABLE', async () => {
      await loadFlow(trackerFlow({}, {}, storeConfig(undefined, { availableOnImport: true })));
      const b = movieBodies(INTERSTELLAR);
      await post(b.grab).expect(200);
      assert.equal((await post(b.imported).expect(200)).body.state, 'AVAILABLE');
      assert.equal(callsOf(helper.getNode('state'), 'warn').length, 0);
    });

    it('an episode-state from before 0.2 with its own "available on import" keeps it, and says the rules moved', async () => {
      await loadFlow(trackerFlow({}, { availableOnImport: true }));
      const b = movieBodies(INTERSTELLAR);
      await post(b.grab).expect(200);
      assert.equal((await post(b.imported).expect(200)).body.state, 'AVAILABLE');
      assert.deepEqual(
        callsOf(helper.getNode('state'), 'warn').map((c) => c.args[0]),
        ['episode-state.warnings.rulesMoved'],
      );
    });

    it('without a store it shows a red status and fails each message', async () => {
      const flow = placed([
        { id: 'tab', type: 'tab' },
        { id: 'state', z: 'tab', type: 'episode-state', store: 'missing', wires: [[], [], []] },
        { id: 'catch', z: 'tab', type: 'catch', scope: ['state'], uncaught: false, wires: [['caught']] },
        { id: 'caught', z: 'tab', type: 'helper', wires: [] },
      ]);
      await loadFlow(flow);
      const state = helper.getNode('state');
      assert.deepEqual(lastStatus(state), { fill: 'red', shape: 'ring', text: 'episode-state.status.noStore' });
      const caught = nextMessage(helper.getNode('caught'));
      state.receive({ payload: {} });
      assert.match((await caught).error.message, /noStore/);
    });
  });

  describe('status-store', () => {
    it('resolves a relative path against the user dir and closes the database on redeploy', async () => {
      const flow = [{ id: 'tab', type: 'tab' }, { ...storeConfig('stores/relative.db') }];
      await loadFlow(flow);
      const store = await storeOf();
      assert.equal(store.file, join(dir, 'stores', 'relative.db'));
      await store.write(async () => undefined);
      await redeploy([{ id: 'tab', type: 'tab' }]);
      await assert.rejects(
        store.write(async () => undefined),
        /closed/,
      );
      assert.equal(existsSync(join(dir, 'stores', 'relative.db-wal')), false, 'closed cleanly: the WAL is checkpointed away');
    });

    it('an unset ${STATUS_DB} falls back to media-status.db in the user dir', async () => {
      await loadFlow([{ id: 'tab', type: 'tab' }, { ...storeConfig('${MST_UNSET_VARIABLE}') }]);
      const store = await storeOf();
      assert.equal(store.file, join(dir, 'media-status.db'));
    });
  });

  describe('status-query', () => {
    function queryFlow() {
      return placed([
        ...trackerFlow(),
        { id: 'list', z: 'tab', type: 'http in', url: '/requests', method: 'get', wires: [['query']] },
        { id: 'one', z: 'tab', type: 'http in', url: '/requests/:id', method: 'get', wires: [['query']] },
        { id: 'query', z: 'tab', type: 'status-query', store: 'store', wires: [['qres']] },
        { id: 'qres', z: 'tab', type: 'http response', wires: [] },
      ]);
    }

    it('lists newest first with filters, reads one with its timeline, 404 for unknown, 400 for a bad filter', async () => {
      await loadFlow(queryFlow());
      await post(movieBodies(INTERSTELLAR).pending).expect(200);
      await post(showBodies(LYCORIS).approved).expect(200);
      const list = await request(httpNode()).get('/requests').expect(200);
      assert.deepEqual(
        list.body.map((r: any) => r.title),
        ['Lycoris Recoil', 'Interstellar'],
      );
      assert.equal(list.body[0].timeline, undefined);
      const filtered = await request(httpNode()).get('/requests?state=requested&limit=5').expect(200);
      assert.deepEqual(
        filtered.body.map((r: any) => r.state),
        ['REQUESTED'],
      );
      const one = await request(httpNode()).get('/requests/2').expect(200);
      assert.equal(one.body.title, 'Lycoris Recoil');
      assert.deepEqual(
        one.body.timeline.map((t: any) => t.event),
        ['approved'],
      );
      await request(httpNode()).get('/requests/77').expect(404);
      await request(httpNode()).get('/requests/abc').expect(404);
      const bad = await request(httpNode()).get('/requests?state=SEARCHING').expect(400);
      assert.match(bad.body.error, /^state\[0\]: /);
      await request(httpNode()).get('/requests?limit=0').expect(400);
    });
  });
});
