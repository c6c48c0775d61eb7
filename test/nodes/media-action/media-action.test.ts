import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FakeArr, FakeJellyseerr, radarrMovie, radarrQueueRecord } from '../../fakes/arr-apis';
import { FakeQbittorrent } from '../../fakes/qbittorrent';
import { VIOLET, movieBodies } from '../../support/bodies';
import { fixture } from '../../support/fixtures';
import request from 'supertest';
import { callsOf, helper, httpNode, lastStatus, loadFlow, nextMessage, placed, storeOf, useSettings, type FlowNode } from '../../support/helper';
import { parseWebhook } from '../../../lib/services/webhooks';
import { tempDir } from '../../support/tmp';
import type { RequestRecord } from '../../../lib/model';

/** media-action in a real runtime: deletion sync on the store's commits, the automatic retry, who asked. */

const dir = tempDir();

describe('media-action', () => {
  let radarr: FakeArr;
  let jellyseerr: FakeJellyseerr;
  let qbit: FakeQbittorrent;
  const v = movieBodies(VIOLET);
  beforeEach(async () => {
    useSettings({ userDir: dir });
    [radarr, jellyseerr] = await Promise.all([new FakeArr('radarr').start(), new FakeJellyseerr().start()]);
    qbit = new FakeQbittorrent();
    await qbit.start();
  });
  afterEach(async () => {
    await helper.unload();
    await Promise.all([radarr.stop(), jellyseerr.stop(), qbit.stop()]);
  });
  after(() => helper.settings({}));

  let n = 0;
  const flow = (action: Record<string, unknown>) =>
    placed([
      { id: 'tab', type: 'tab' },
      { id: 'store', type: 'status-store', path: join(dir, `actions${++n}.db`) },
      { id: 'rs', type: 'arr-server', kind: 'radarr', instance: '', is4k: false, url: radarr.url, apiKeyEnv: '' },
      { id: 'js', type: 'jellyseerr-server', url: jellyseerr.url, apiKeyEnv: '' },
      { id: 'qs', type: 'qbittorrent-server', url: qbit.url, usernameEnv: '', passwordEnv: '' },
      { id: 'state', z: 'tab', type: 'episode-state', store: 'store', wires: [['committed'], ['changes'], []] },
      {
        id: 'act',
        z: 'tab',
        type: 'media-action',
        store: 'store',
        radarr: 'rs',
        jellyseerr: 'js',
        qbittorrent: 'qs',
        ...action,
        wires: [['result'], ['error'], ['news']],
      },
      { id: 'committed', z: 'tab', type: 'helper', wires: [] },
      { id: 'changes', z: 'tab', type: 'helper', wires: [] },
      { id: 'result', z: 'tab', type: 'helper', wires: [] },
      { id: 'error', z: 'tab', type: 'helper', wires: [] },
      { id: 'news', z: 'tab', type: 'helper', wires: [] },
    ]);
  const credentials = { rs: { apiKey: 'radarr-key' }, js: { apiKey: 'jellyseerr-key' }, qs: { username: 'admin', password: 'adminadmin' } };
  const send = async (source: 'radarr' | 'jellyseerr', body: unknown) => {
    const parsed = parseWebhook(body, source);
    assert.ok(parsed.ok);
    const committed = nextMessage(helper.getNode('committed'));
    helper.getNode('state').receive({ payload: parsed.event });
    return (await committed).payload;
  };

  /** The store's word that a request changed as `done` says (the node acts after the commit, on its own). */
  const until = async (id: number, done: (r: RequestRecord | undefined) => boolean) => {
    const store = await storeOf();
    for (;;) {
      const committed = new Promise((resolve) => store.once('committed', resolve));
      if (done(await store.read.getRequest(id))) return;
      await committed;
    }
  };

  it('deletion sync (opt-in): a removal committed through episode-state is planned, in a dry run by default; nothing is deleted', async () => {
    await loadFlow(flow({ clearJellyseerr: true, removeTorrents: true }), credentials);
    jellyseerr.addRequest({ id: VIOLET.requestId, type: 'movie', tmdbId: VIOLET.tmdb, status: 5, mediaStatus: 5, arrId: VIOLET.radarrId });
    await send('jellyseerr', v.approved);
    await send('radarr', v.grab);
    const removed = await send('radarr', fixture('radarr-movie-delete'));
    await until(removed.requestId, (r) => !!r?.deletion);
    const { deletion } = (await (await storeOf()).read.getRequest(removed.requestId))!;
    assert.equal(deletion?.dryRun, true, 'a dry run unless unticked');
    assert.ok(Date.parse(deletion!.dueAt) - Date.now() > 23 * 3_600_000, 'after the grace period (24 h)');
    const result = nextMessage(helper.getNode('result'));
    helper.getNode('act').receive({ topic: 'media-status/deletions' });
    assert.deepEqual((await result).payload, { ok: true, done: [] }, 'nothing due yet');
    assert.deepEqual([jellyseerr.deletedMedia, qbit.deleted], [[], []]);
    assert.deepEqual(
      radarr.calls.filter((c) => !c.startsWith('GET')),
      [],
      'nothing is deleted in Radarr',
    );
  });

  it("the sidebar's and the page's buttons act through the store's one media-action: with two, a 409 that names them", async () => {
    type Hub = { act(input: Record<string, unknown>, by: string): Promise<{ status: number; body: unknown }> };
    const act = () => (helper.getNode('store') as unknown as Hub).act({ requestId: '424242', action: 'verify' }, 'editor');
    await loadFlow(flow({}), credentials);
    assert.deepEqual(await act(), { status: 404, body: { ok: false, error: 'no request 424242' } }, 'through the one media-action');
    await helper.unload();

    const two: FlowNode[] = flow({ name: 'first' });
    two.push({ ...two.find((n) => n.id === 'act')!, id: 'act2', name: 'second', wires: [[], [], []] });
    await loadFlow(two, credentials);
    assert.deepEqual(await act(), {
      status: 409,
      body: { ok: false, error: '2 media-action nodes use this store (first, second): buttons act only when one does' },
    });
    await helper.unload();

    await loadFlow(
      flow({}).filter((n) => n.id !== 'act'),
      credentials,
    );
    assert.deepEqual(await act(), { status: 503, body: { ok: false, error: 'no media-action node uses this store: deploy one to act on requests' } });
  });

  it('without the ticks nothing is planned or passed on', async () => {
    await loadFlow(flow({}), credentials);
    jellyseerr.addRequest({ id: VIOLET.requestId, type: 'movie', tmdbId: VIOLET.tmdb, status: 5, mediaStatus: 5, arrId: VIOLET.radarrId });
    await send('radarr', v.grab);
    const removed = await send('radarr', fixture('radarr-movie-delete'));
    // A message through the node after the commit: the removal has been looked at by then.
    const result = nextMessage(helper.getNode('error'));
    helper.getNode('act').receive({ payload: { requestId: 1, action: 'dismiss' } });
    assert.equal((await result).statusCode, 400);
    assert.equal((await (await storeOf()).read.getRequest(removed.requestId))?.deletion, null);
    assert.deepEqual([jellyseerr.deletedMedia, qbit.deleted], [[], []]);
  });

  it('the automatic retry (opt-in) counts strikes on its control message and retries at the third; msg.user is who asked', async () => {
    await loadFlow(flow({ autoRetry: true, autoRetries: '1', autoRetryMinutes: '0', autoRetryDryRun: false }), credentials);
    await send('jellyseerr', v.approved);
    const grabbed = await send('radarr', v.grab);
    radarr.queue.push(radarrQueueRecord(radarrMovie({ id: VIOLET.radarrId, title: VIOLET.title, year: VIOLET.year, tmdbId: VIOLET.tmdb }), VIOLET.hash));
    qbit.set({ hash: VIOLET.hash, progress: 0.1, state: 'stalledDL', private: false });
    const check = async () => {
      const result = nextMessage(helper.getNode('result'));
      helper.getNode('act').receive({ topic: 'media-status/auto-retry' });
      return (await result).payload as { ok: boolean; done: { action: string }[] };
    };
    assert.deepEqual(await check(), { ok: true, done: [] });
    assert.deepEqual(await check(), { ok: true, done: [] });
    const third = await check();
    assert.deepEqual(
      third.done.map((d) => d.action),
      ['retry'],
    );
    assert.deepEqual(radarr.commands, [{ name: 'MoviesSearch', movieIds: [VIOLET.radarrId] }]);
    assert.deepEqual(qbit.deleted, [], 'the arr removed it from the client, not the tracker');

    const asked = nextMessage(helper.getNode('result'));
    helper.getNode('act').receive({ payload: { requestId: grabbed.requestId, action: 'dismiss', reason: 'fine' }, user: { username: 'kana' } });
    assert.equal((await asked).payload.request.attention, null);
    const timeline = await (await storeOf()).read.timeline(grabbed.requestId);
    assert.match(timeline.at(-1)?.detail ?? '', /^attention dismissed by kana \(fine\): /);
  });
});

describe('status-page buttons', () => {
  let radarr: FakeArr;
  /** settings.js's httpNodeMiddleware, as a household's login in front of Node-RED would set it: it names the user. */
  const login = (req: { user?: unknown; headers: Record<string, unknown> }, _res: unknown, next: () => void) => {
    req.user = { username: String(req.headers['x-test-user'] ?? 'ann') };
    next();
  };
  beforeEach(async () => {
    useSettings({ userDir: dir, httpNodeMiddleware: login });
    radarr = await new FakeArr('radarr').start();
  });
  afterEach(async () => {
    await helper.unload();
    await radarr.stop();
  });
  after(() => helper.settings({}));

  const flow = (actions: boolean, page: Record<string, unknown> = {}) =>
    placed([
      { id: 'tab', type: 'tab' },
      { id: 'store', type: 'status-store', path: join(dir, `page-actions-${actions}-${Date.now()}.db`) },
      { id: 'rs', type: 'arr-server', kind: 'radarr', instance: '', is4k: false, url: radarr.url, apiKeyEnv: '' },
      { id: 'act', z: 'tab', type: 'media-action', store: 'store', radarr: 'rs', wires: [[], [], []] },
      { id: 'page', z: 'tab', type: 'status-page', store: 'store', path: '/media-status', title: 'Media status', actions, ...page, wires: [] },
    ]);
  const stalled = async (movie = VIOLET) => {
    const parsed = parseWebhook(movieBodies(movie).grab, 'radarr');
    assert.ok(parsed.ok);
    const { track } = await import('../../../lib/tracker/track');
    const result = await track(await storeOf(), parsed.event);
    radarr.queue.push(radarrQueueRecord(radarrMovie({ id: movie.radarrId, title: movie.title, year: movie.year, tmdbId: movie.tmdb }), movie.hash));
    return result.request!.id;
  };
  const press = (id: number, action = 'retry') =>
    request(httpNode())
      .post(`/media-status/data/requests/${id}/actions/${action}`)
      .set('content-type', 'application/json')
      .set('sec-fetch-site', 'same-origin')
      .send('{}');

  it('off by default: the page is read-only (no buttons, the action path is 404)', async () => {
    await loadFlow(flow(false), { rs: { apiKey: 'radarr-key' } });
    const id = await stalled();
    const page = await request(httpNode()).get('/media-status').expect(200);
    assert.ok(page.text.includes('<meta name="media-status-actions" content="">'));
    await press(id).expect(404);
    assert.deepEqual(radarr.calls, []);
  });

  it('ticked without httpNodeAuth or httpNodeMiddleware: refused with a red status and one log line; the page stays read-only', async () => {
    useSettings({ userDir: dir });
    await loadFlow(flow(true), { rs: { apiKey: 'radarr-key' } });
    const page = helper.getNode('page');
    assert.deepEqual(lastStatus(page), { fill: 'red', shape: 'ring', text: 'status-page.status.actionsNeedAuth' });
    assert.deepEqual(
      callsOf(page, 'error').map((c) => String(c.args[0])),
      ['status-page.errors.actionsNeedAuth'],
    );
    const id = await stalled();
    const html = await request(httpNode()).get('/media-status').expect(200);
    assert.ok(html.text.includes('<meta name="media-status-actions" content="">'));
    for (let i = 0; i < 20; i++) await press(id).expect(404);
    assert.deepEqual(radarr.calls, []);
  });

  it('on, behind a login: retry and verify from the page itself (JSON, same origin), recorded as the user; another site cannot make it act', async () => {
    await loadFlow(flow(true), { rs: { apiKey: 'radarr-key' } });
    const id = await stalled();
    const page = await request(httpNode()).get('/media-status').expect(200);
    assert.ok(page.text.includes('<meta name="media-status-actions" content="retry,verify">'));
    const path = `/media-status/data/requests/${id}/actions/retry`;
    // A form another site posts (no JSON), a fetch from another site or a sibling subdomain: refused, nothing done.
    await request(httpNode()).post(path).set('content-type', 'application/x-www-form-urlencoded').send('a=1').expect(403);
    await request(httpNode()).post(path).set('content-type', 'application/json').set('sec-fetch-site', 'cross-site').send('{}').expect(403);
    await request(httpNode()).post(path).set('content-type', 'application/json').set('sec-fetch-site', 'same-site').send('{}').expect(403);
    await request(httpNode()).post(path).set('content-type', 'application/json').set('origin', 'https://evil.example').send('{}').expect(403);
    await request(httpNode()).post(`/media-status/data/requests/${id}/actions/forget`).set('content-type', 'application/json').send('{}').expect(404);
    assert.deepEqual(radarr.calls, []);
    const res = await press(id).set('x-test-user', 'bea').expect(200);
    assert.equal(res.body.request.attention.reason, 'retry requested by bea: from the status page');
    assert.deepEqual(radarr.commands, [{ name: 'MoviesSearch', movieIds: [VIOLET.radarrId] }]);
  });

  it('limited across the page: the same action on a request within 60 s is done once, whoever asks; past 5 a minute, 429', async () => {
    await loadFlow(flow(true), { rs: { apiKey: 'radarr-key' } });
    const id = await stalled();
    const first = await press(id).set('x-test-user', 'ann').expect(200);
    const again = await press(id).set('x-test-user', 'bea').expect(200);
    assert.deepEqual(again.body, first.body, "the first one's outcome");
    assert.equal(radarr.removals.length, 1, 'one blocklisting delete');
    const others = [];
    for (let n = 2; n <= 4; n++) others.push(await stalled({ ...VIOLET, tmdb: 100 + n, radarrId: 200 + n, title: `Other ${n}`, hash: String(n).repeat(40) }));
    for (const other of others) await press(other).expect(200);
    const refused = await press(id, 'verify').expect(429);
    assert.match(refused.body.error, /at most 5 a minute/);
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.equal(radarr.removals.length, 4);
  });
});
