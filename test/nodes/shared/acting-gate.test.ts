import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FakeArr, radarrMovie, radarrQueueRecord } from '../../fakes/arr-apis';
import { VIOLET, movieBodies } from '../../support/bodies';
import { helper, httpNode, loadFlow, nextMessage, placed, statusCalls, storeOf, useSettings } from '../../support/helper';
import { listen, rawPost } from '../../support/raw-http';
import { tempDir } from '../../support/tmp';
import { parseWebhook } from '../../../lib/services/webhooks';
import { track } from '../../../lib/tracker/track';

/**
 * The acting routes (an http in wired straight into media-action, media-sync, qbit-progress or
 * jellyfin-verify) in a real runtime over real HTTP: JSON only, never from another site, only with the
 * API token or from a user Node-RED authenticated, at most 64 KB; refused before the body is read,
 * and nothing changes in the services or the store for a refused request.
 */

const dir = tempDir();
const KB = 1024;
const TOKEN = 'a-long-api-token';

describe('acting gate (http in -> media-action, media-sync, qbit-progress)', () => {
  let radarr: FakeArr;
  let server: Awaited<ReturnType<typeof listen>>;
  let requestId: number;
  beforeEach(async () => {
    useSettings({ userDir: dir });
    radarr = await new FakeArr('radarr').start();
  });
  afterEach(async () => {
    await server?.close();
    await helper.unload();
    await radarr.stop();
    helper.settings({});
  });

  let n = 0;
  const flow = (store: Record<string, unknown> = {}) =>
    placed([
      { id: 'tab', type: 'tab' },
      { id: 'store', type: 'status-store', path: join(dir, `gate${++n}.db`), apiTokenEnv: '', ...store },
      { id: 'rs', type: 'arr-server', kind: 'radarr', instance: '', is4k: false, url: radarr.url, apiKeyEnv: '' },
      { id: 'act-in', z: 'tab', type: 'http in', url: '/api/requests/:id/actions/:action', method: 'post', wires: [['act']] },
      { id: 'act', z: 'tab', type: 'media-action', store: 'store', radarr: 'rs', wires: [['res'], ['res'], []] },
      // A route that reaches media-action through another node (one that names the action) is gated all the same.
      { id: 'retry-in', z: 'tab', type: 'http in', url: '/api/requests/:id/retry', method: 'post', wires: [['name-it']] },
      { id: 'name-it', z: 'tab', type: 'change', rules: [{ t: 'set', p: 'payload.action', pt: 'msg', to: 'retry', tot: 'str' }], wires: [['act']] },
      { id: 'sync-in', z: 'tab', type: 'http in', url: '/api/sync', method: 'post', wires: [['sync']] },
      { id: 'sync', z: 'tab', type: 'media-sync', store: 'store', radarr: 'rs', minutes: '600', firstAfterSeconds: '600', wires: [[], ['res']] },
      { id: 'verify-in', z: 'tab', type: 'http in', url: '/api/requests/:id/verify', method: 'post', wires: [['poll']] },
      { id: 'poll', z: 'tab', type: 'qbit-progress', store: 'store', server: 'qs', interval: '0', wires: [[], ['res']] },
      { id: 'qs', type: 'qbittorrent-server', url: '', usernameEnv: '', passwordEnv: '' },
      { id: 'res', z: 'tab', type: 'http response', wires: [] },
    ]);
  const start = async (store: Record<string, unknown> = {}, credentials: Record<string, Record<string, string>> = {}) => {
    await loadFlow(flow(store), { rs: { apiKey: 'radarr-key' }, ...credentials });
    server = await listen(httpNode());
    const parsed = parseWebhook(movieBodies(VIOLET).grab, 'radarr');
    assert.ok(parsed.ok);
    requestId = (await track(await storeOf(), parsed.event)).request!.id;
    radarr.queue.push(radarrQueueRecord(radarrMovie({ id: VIOLET.radarrId, title: VIOLET.title, year: VIOLET.year, tmdbId: VIOLET.tmdb }), VIOLET.hash));
  };
  const retryPath = () => `/api/requests/${requestId}/actions/retry`;
  const post = (path: string, headers: Record<string, string>, body: string | Buffer = '{}') =>
    rawPost(`${server.url}${path}`, headers, Buffer.isBuffer(body) ? body : Buffer.from(body));
  const json = { 'content-type': 'application/json' };
  const bearer = (token = TOKEN) => ({ ...json, authorization: `Bearer ${token}` });
  /** Nothing was asked of Radarr and the request's timeline did not move. */
  const nothingDone = async (before: number) => {
    assert.deepEqual(radarr.calls, []);
    assert.equal((await (await storeOf()).read.timeline(requestId)).length, before);
  };
  const timelineLength = async () => (await (await storeOf()).read.timeline(requestId)).length;

  it('with no token and no httpNodeAuth: every acting route answers 403 naming STATUS_API_TOKEN, safe by default', async () => {
    await start();
    const before = await timelineLength();
    for (const path of [retryPath(), `/api/requests/${requestId}/retry`, '/api/sync', `/api/requests/${requestId}/verify`]) {
      const answer = await post(path, json);
      assert.equal(answer.status, 403, path);
      assert.match(JSON.parse(answer.body).error, /STATUS_API_TOKEN/);
    }
    await nothingDone(before);
  });

  it('with the token: a wrong or missing Bearer is 401; the right one acts, recorded as the API token; never in the status', async () => {
    await start({}, { store: { apiToken: TOKEN } });
    const before = await timelineLength();
    assert.equal((await post(retryPath(), json)).status, 401);
    assert.equal((await post(retryPath(), bearer('not-the-token'))).status, 401);
    assert.equal((await post(retryPath(), { ...json, authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` })).status, 401);
    await nothingDone(before);
    const answer = await post(retryPath(), bearer(), JSON.stringify({ reason: 'stalled' }));
    assert.equal(answer.status, 200);
    assert.equal(JSON.parse(answer.body).request.attention.reason, 'retry requested by api token: stalled');
    assert.equal(radarr.removals.length, 1);
    const shown = JSON.stringify(statusCalls(helper.getNode('act')).map((c) => c.args));
    assert.ok(shown.includes('media-action.status.done'), shown);
    assert.ok(!shown.includes(TOKEN));
    const synced = await post('/api/sync', bearer());
    assert.equal(synced.status, 200);
    assert.equal(JSON.parse(synced.body).ok, true);
  });

  it('the token from the environment variable the store names (STATUS_API_TOKEN in the example)', async () => {
    process.env.MST_GATE_TEST_TOKEN = 'from-the-env';
    try {
      await start({ apiTokenEnv: 'MST_GATE_TEST_TOKEN' });
      assert.equal((await post('/api/sync', bearer('from-the-env'))).status, 200);
      assert.equal((await post('/api/sync', bearer())).status, 401);
    } finally {
      delete process.env.MST_GATE_TEST_TOKEN;
    }
  });

  it('JSON only: a form, text or binary body is 415 before a byte of it is read', async () => {
    await start({}, { store: { apiToken: TOKEN } });
    const before = await timelineLength();
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain', 'application/octet-stream']) {
      const answer = await rawPost(
        `${server.url}${retryPath()}`,
        { 'content-type': type, authorization: `Bearer ${TOKEN}` },
        { declared: 5 * 1024 * KB, send: 0 },
      );
      assert.equal(answer.status, 415, type);
      assert.equal(answer.sentWhenAnswered, 0, type);
    }
    await nothingDone(before);
  });

  it("a browser's request from another site is 403, even with the token: Sec-Fetch-Site, or an Origin that is not the host", async () => {
    await start({}, { store: { apiToken: TOKEN } });
    const before = await timelineLength();
    const sites: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of sites) {
      const answer = await post(retryPath(), { ...bearer(), ...headers });
      assert.equal(answer.status, 403, JSON.stringify(headers));
      assert.match(JSON.parse(answer.body).error, /another site/);
    }
    await nothingDone(before);
    const host = new URL(server.url).host;
    assert.equal((await post('/api/sync', { ...bearer(), origin: `http://${host}` })).status, 200, 'its own page');
    assert.equal((await post('/api/sync', { ...bearer(), 'sec-fetch-site': 'same-origin' })).status, 200);
  });

  it('bodies are bounded at 64 KB before reading (declared or chunked: 413); invalid JSON is a 400', async () => {
    await start({}, { store: { apiToken: TOKEN } });
    const before = await timelineLength();
    const declared = await rawPost(`${server.url}${retryPath()}`, bearer(), { declared: 5 * 1024 * KB, send: 0 });
    assert.deepEqual([declared.status, declared.sentWhenAnswered], [413, 0]);
    const chunked = await rawPost(`${server.url}${retryPath()}`, bearer(), { send: 5 * 1024 * KB });
    assert.equal(chunked.status, 413);
    assert.ok(chunked.sentWhenAnswered < 1024 * KB, `answered after ${chunked.sentWhenAnswered} bytes`);
    const broken = await post(retryPath(), bearer(), '{"reason": ');
    assert.equal(broken.status, 400);
    assert.match(JSON.parse(broken.body).error, /^body: not JSON/);
    await nothingDone(before);
  });

  it('only a plain object is an action: an array, a string or a number is a 400 at once', async () => {
    await start({}, { store: { apiToken: TOKEN } });
    const before = await timelineLength();
    for (const body of ['[1,2,3]', '"retry"', '42']) {
      const answer = await post(retryPath(), bearer(), body);
      assert.equal(answer.status, 400, body);
      assert.match(JSON.parse(answer.body).error, /expected object/, body);
    }
    await nothingDone(before);
  });

  it('behind httpNodeMiddleware that names the user: no token needed, the action is recorded as theirs', async () => {
    useSettings({
      userDir: dir,
      httpNodeMiddleware: (req: { user?: unknown; headers: Record<string, unknown> }, res: { statusCode: number; end(): void }, next: () => void) => {
        if (req.headers['x-household'] !== 'yes') {
          res.statusCode = 401;
          return res.end();
        }
        req.user = { username: 'kana' };
        next();
      },
    });
    await start();
    const before = await timelineLength();
    assert.equal((await post(retryPath(), json)).status, 401, "the middleware's own refusal");
    await nothingDone(before);
    const answer = await post(retryPath(), { ...json, 'x-household': 'yes' }, JSON.stringify({ reason: 'stalled' }));
    assert.equal(answer.status, 200);
    assert.equal(JSON.parse(answer.body).request.attention.reason, 'retry requested by kana: stalled');
  });

  it('a message to media-action whose payload is a Buffer (an http in reached through other nodes) is a 400 at once, never spread', async () => {
    await start({}, { store: { apiToken: TOKEN } });
    const before = await timelineLength();
    const act = helper.getNode('act');
    const out = nextMessage(helper.getNode('res'));
    act.receive({ payload: Buffer.alloc(5 * 1024 * KB, 7) });
    const answered = await out;
    assert.equal(answered.statusCode, 400);
    assert.match(answered.payload.error, /expected object/);
    await nothingDone(before);
  });
});
