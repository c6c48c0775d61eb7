import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeArr, FakeJellyseerr } from '../fakes/arr-apis';
import { FakeJellyfin } from '../fakes/jellyfin';
import { FakeQbittorrent } from '../fakes/qbittorrent';
import { INTERSTELLAR, movieBodies } from '../support/bodies';
import { event, run } from '../support/events';
import { ROOT } from '../support/fixtures';
import { getJson, postApi, postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { snapshotOf } from '../support/snapshot';
import { eventually } from '../support/eventually';
import { exampleEnvOf } from '../fakes/fake-server';

/**
 * Every node of the package that takes messages gets 200 malformed ones (null, Buffers, arrays,
 * strings, huge strings, partial snapshots and state changes, forged requests, control topics) in a
 * real Node-RED with every example deployed and the services faked at the wire: the process stays up
 * and answers HTTP, every message is finished (done, or an error a Catch node takes), and nothing
 * stored changes.
 */

const dir = tempDir('mst-malformed-');

/** The nodes that take messages, each on the test tab, using the example's config nodes. */
const TARGETS = [
  { type: 'arr-webhook-parse', source: 'auto', secretEnv: '' },
  { type: 'episode-state', store: 'f1a0c0de00000002' },
  { type: 'status-query', store: 'f1a0c0de00000002' },
  { type: 'qbit-progress', store: 'f1a0c0de00000002', server: 'f1a0c0de00000080', interval: '0' },
  { type: 'jellyfin-verify', store: 'f1a0c0de00000002', server: 'f1a0c0de00000081', interval: '0' },
  { type: 'media-sync', store: 'f1a0c0de00000002', jellyseerr: 'f1a0c0de000000b0', radarr: 'f1a0c0de000000b1', minutes: '600', firstAfterSeconds: '600' },
  {
    type: 'media-action',
    store: 'f1a0c0de00000002',
    jellyseerr: 'f1a0c0de000000b0',
    radarr: 'f1a0c0de000000b1',
    qbittorrent: 'f1a0c0de00000080',
    jellyfin: 'f1a0c0de00000081',
    autoRetry: true,
    autoRetries: '2',
    autoRetryMinutes: '600',
  },
  { type: 'media-notify', format: 'ntfy', server: 'http://127.0.0.1:9', recipient: 'all', digestSeconds: '1' },
  { type: 'media-ha', store: 'f1a0c0de00000002', keepHours: '24' },
];

/** The function node that makes the corpus inside Node-RED (Buffers and huge strings never cross HTTP). */
function feeder(change: unknown): string {
  return `
// A request that became available: news media-notify holds for its digest, beside the broken variants of it.
const change = ${JSON.stringify(change)};
const clone = (v) => JSON.parse(JSON.stringify(v));
const without = (path) => { const c = clone(change); let t = c; for (const k of path.slice(0, -1)) t = t[k]; delete t[path[path.length - 1]]; return c; };
const set = (path, value) => { const c = clone(change); let t = c; for (const k of path.slice(0, -1)) t = t[k]; t[path[path.length - 1]] = value; return c; };
const huge = 'x'.repeat(1024 * 1024);
// A show's episode news without the show's own episodes: the digest's timer would read them.
const partialShow = without(['request', 'episodes']);
partialShow.request.mediaType = 'tv';
partialShow.episodes = [{ season: 1, episode: 1, title: null }, { season: 1, episode: 2, title: null }];
const payloads = [
  null, undefined, true, 0, change, 1e308, '', 'retry', huge, Buffer.alloc(1024 * 1024, 7),
  Buffer.from('{"requestId":1,"action":"retry"}'), [], [1, 2, 3], [change], {},
  { request: null }, { request: { id: 1 } }, without(['request', 'episodes']), set(['request', 'episodes'], 'x'), set(['request', 'episodes'], [null]),
  set(['request', 'id'], 'one'), set(['request', 'state'], 'NOPE'), set(['request', 'title'], huge), set(['request', 'downloads'], [{ id: 1 }]), set(['request', 'attention'], {}),
  set(['from'], 42), without(['to']), set(['episodes'], [{ season: -1 }]), without(['request', 'episodeCounts']), set(['request', 'ids'], null),
  { requestId: 'x', action: 'retry' }, { requestId: 1, action: 'nope' }, { requestId: 1e999 }, { requestId: 1, action: 'retry', episodes: 'all' }, { requestId: 1, action: 'forget', confirm: 'yes' },
  { source: 'radarr', kind: 'grabbed' }, { source: 'tracker', at: 'never', kind: 'action' }, { eventType: 'Grab', movie: { id: 'x' } }, { notification_type: 'MEDIA_APPROVED' }, partialShow,
];
const shapes = [
  (p) => ({ payload: p }),
  (p) => ({ payload: p, topic: 'media-status/auto-retry' }),
  (p) => ({ payload: p, topic: 'homeassistant/status' }),
  (p) => ({ payload: p, req: { method: 'POST', headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' }, params: { id: '1', action: 'retry' } } }),
  (p) => ({ payload: p, topic: 'media-status/anything', req: { params: { id: 'x'.repeat(10000), action: 'forget' }, query: null }, user: { username: 42 } }),
];
let sent = 0;
for (const shape of shapes) for (const p of payloads) { node.send([shape(p), null]); sent++; }
msg.payload = { sent };
return [null, msg];`;
}

describe('the runtime under malformed messages', () => {
  let red: RunningNodeRed;
  let qbit: FakeQbittorrent;
  let jellyfin: FakeJellyfin;
  let radarr: FakeArr;
  let jellyseerr: FakeJellyseerr;

  before(async () => {
    qbit = new FakeQbittorrent();
    jellyfin = new FakeJellyfin();
    await Promise.all([qbit.start(), jellyfin.start()]);
    [radarr, jellyseerr] = await Promise.all([new FakeArr('radarr').start(), new FakeJellyseerr().start()]);
    const userDir = join(dir, 'node-red');
    mkdirSync(userDir, { recursive: true });
    const examples = ['media-status-tracker', 'notify-ntfy', 'home-assistant-mqtt'].flatMap((name) =>
      JSON.parse(readFileSync(join(ROOT, 'examples', `${name}.json`), 'utf8')),
    );
    const change = {
      request: { ...snapshotOf(run([event('jellyseerr', movieBodies(INTERSTELLAR).approved)])), id: 1, state: 'AVAILABLE' },
      from: 'IMPORTING',
      to: 'AVAILABLE',
      summary: 'Interstellar (2014): ready to watch',
      episodes: [],
    };
    const ids = TARGETS.map((_, i) => `t${i}`);
    const test = [
      { id: 'test', type: 'tab', label: 'malformed' },
      { id: 'feed-in', z: 'test', type: 'http in', url: '/test/feed', method: 'post', x: 100, y: 40, wires: [['feeder']] },
      { id: 'feeder', z: 'test', type: 'function', func: feeder(change), outputs: 2, x: 300, y: 40, wires: [ids, ['feed-out']] },
      { id: 'feed-out', z: 'test', type: 'http response', x: 500, y: 40, wires: [] },
      ...TARGETS.map((t, i) => ({ id: `t${i}`, z: 'test', x: 300, y: 100 + 40 * i, wires: t.type === 'media-notify' ? [['notified']] : [], ...t })),
      {
        id: 'notified',
        z: 'test',
        type: 'function',
        func: "flow.set('notified', (flow.get('notified') || 0) + 1); return null;",
        outputs: 0,
        x: 500,
        y: 500,
        wires: [],
      },
      { id: 'caught', z: 'test', type: 'catch', scope: ids, uncaught: false, x: 100, y: 600, wires: [['count']] },
      { id: 'completed', z: 'test', type: 'complete', scope: ids, uncaught: false, x: 100, y: 640, wires: [['count']] },
      {
        id: 'count',
        z: 'test',
        type: 'function',
        func: "flow.set('finished', (flow.get('finished') || 0) + 1); return null;",
        outputs: 0,
        x: 300,
        y: 620,
        wires: [],
      },
      { id: 'count-in', z: 'test', type: 'http in', url: '/test/finished', method: 'get', x: 100, y: 700, wires: [['count-read']] },
      {
        id: 'count-read',
        z: 'test',
        type: 'function',
        func: "msg.payload = { finished: flow.get('finished') || 0, notified: flow.get('notified') || 0 }; return msg;",
        outputs: 1,
        x: 300,
        y: 700,
        wires: [['count-out']],
      },
      { id: 'count-out', z: 'test', type: 'http response', x: 500, y: 700, wires: [] },
    ];
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify([...examples, ...test]));
    red = await startNodeRed(userDir, {
      STATUS_DB: join(dir, 'malformed.db'),
      ...exampleEnvOf(qbit, jellyfin, radarr, jellyseerr),
      SYNC_MINUTES: '600',
    });
  });
  after(async () => {
    await red?.stop();
    await Promise.all([qbit?.stop(), jellyfin?.stop(), radarr?.stop(), jellyseerr?.stop()]);
  });

  it('200 malformed messages to every node: Node-RED stays up and answers, each message is finished, nothing stored changes', async () => {
    const m = movieBodies(INTERSTELLAR);
    assert.equal((await postHook(red.url, 'jellyseerr', m.approved)).status, 200);
    // The sync has read what Radarr says of it (it has no such movie): the steady state the messages must not change.
    assert.equal((await postApi(red.url, '/media-status/api/sync')).status, 200);
    const before = await getJson(red.url, '/media-status/api/requests/1');
    assert.equal(before.status, 200);

    // The feed reaches media-action (through the nodes that fan it out), so its route is an acting one: JSON and the token.
    const fed = await postApi(red.url, '/test/feed');
    assert.equal(fed.status, 200);
    const { sent } = fed.body as { sent: number };
    assert.equal(sent, 200);
    const expected = sent * TARGETS.length;
    const counts = async () => (await getJson(red.url, '/test/finished')).body as { finished: number; notified: number };
    const { finished } = await eventually(
      'every message finished',
      async () => {
        const c = await counts();
        return c.finished >= expected && c;
      },
      { timeoutMs: 50_000 },
    );
    assert.equal(finished, expected, 'each message finished once');
    // The digest's timer sends the valid change's news (the broken ones never reached it).
    await eventually('the digest sent', async () => (await counts()).notified >= 1);

    const after = await getJson(red.url, '/media-status/api/requests/1');
    assert.equal(after.status, 200, 'Node-RED answers HTTP');
    assert.deepEqual(after.body, before.body, 'nothing stored changed');
    assert.equal((await postHook(red.url, 'radarr', m.grab)).status, 200, 'and goes on tracking');
    assert.doesNotMatch(red.output(), /uncaught|UnhandledPromiseRejection|Error: .*\n\s+at /i);
  });
});
