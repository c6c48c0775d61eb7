import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ArrClient } from '../../lib/services/arr/client';
import { JellyseerrClient, PAGE_SIZE } from '../../lib/services/jellyseerr/client';
import { ArrSource } from '../../lib/services/arr/sync-source';
import { JellyseerrSource } from '../../lib/services/jellyseerr/sync-source';
import { MediaSync } from '../../lib/sync';
import { StatusStore } from '../../lib/store/store';
import { DEFAULT_TRACK_OPTIONS } from '../../lib/tracker/track';
import { FakeArr, FakeJellyseerr, radarrHistory, radarrMovie, radarrQueueRecord, sonarrEpisodes, sonarrQueueRecords, sonarrSeries } from '../fakes/arr-apis';
import { tempDir } from '../support/tmp';

/**
 * The sync against services that misbehave: a Jellyseerr that lies about paging, a history record
 * dated in the future, a record that fails its schema, a queue longer than a page; and the sync's own
 * bounds: it stops when its node closes, and a source never syncs twice at once.
 */

const dir = tempDir('mst-sync-limits-');
const options = { historyDays: 90, track: DEFAULT_TRACK_OPTIONS };
const calls = (fake: { calls: string[] }, path: string) => fake.calls.filter((c) => c.includes(path)).length;

describe('sync: misbehaving services and its own bounds', () => {
  let n = 0;
  let store: StatusStore;
  let jellyseerr: FakeJellyseerr;
  let radarr: FakeArr;
  let sonarr: FakeArr;
  const seerrSource = (max?: number) => new JellyseerrSource('jellyseerr', new JellyseerrClient({ url: jellyseerr.url, apiKey: 'jellyseerr-key' }), max);
  const radarrSource = () => new ArrSource({ name: 'radarr', kind: 'radarr', is4k: false }, new ArrClient('radarr', { url: radarr.url, apiKey: 'radarr-key' }));

  beforeEach(async () => {
    [jellyseerr, radarr, sonarr] = await Promise.all([new FakeJellyseerr().start(), new FakeArr('radarr').start(), new FakeArr('sonarr').start()]);
    store = await StatusStore.open(join(dir, `limits${++n}.db`));
  });
  afterEach(async () => {
    await store.close();
    await Promise.all([jellyseerr.stop(), radarr.stop(), sonarr.stop()]);
  });

  it('a Jellyseerr that answers the same page again with ever more pages: the sync reads each list once and stops', async () => {
    for (let id = 1; id <= 3; id++) jellyseerr.addRequest({ id, type: 'movie', tmdbId: 100 + id, status: 2, mediaStatus: 3 });
    jellyseerr.lies = 'same-page';
    const { report } = await new MediaSync([seerrSource()], options).sync(store);
    assert.deepEqual(report.sources.jellyseerr, { ok: true, read: 3, skipped: 0, changed: 3 });
    // Each list: its first page, and the same page again.
    assert.equal(calls(jellyseerr, 'filter=all'), 2);
    assert.equal(calls(jellyseerr, 'filter=unavailable'), 2);
  });

  it('a Jellyseerr with endless new pages: it believes the first page count, and never reads past its cap', async () => {
    jellyseerr.addRequest({ id: 1, type: 'movie', tmdbId: 101, status: 2, mediaStatus: 3 });
    jellyseerr.lies = 'endless';
    const cap = 2 * PAGE_SIZE.unavailable;
    const { report } = await new MediaSync([seerrSource(cap)], options).sync(store);
    assert.equal(report.sources.jellyseerr?.ok, true);
    assert.equal(calls(jellyseerr, 'filter=unavailable'), 2, 'the cap: two pages of 500');
    assert.ok(calls(jellyseerr, 'filter=all') <= cap / PAGE_SIZE.all);
  });

  it('a history record dated in the future never moves the cursor past now: what comes after it is still read', async () => {
    const now = new Date('2026-12-04T12:00:00Z');
    const movie = radarrMovie({ id: 7, title: 'Clock Skew', year: 2024, tmdbId: 707 });
    radarr.addHistory(radarrHistory(movie, 'grabbed', 'F'.repeat(40), { indexer: 'x' }, '2026-12-05T12:00:00Z'));
    const sync = new MediaSync([radarrSource()], options);
    await sync.sync(store, now);
    const cursor = JSON.parse((await store.read.sync.cursor('radarr'))!) as { since: string };
    assert.equal(Date.parse(cursor.since), now.getTime());
    const later = radarrMovie({ id: 8, title: 'After The Skew', year: 2024, tmdbId: 808 });
    radarr.addHistory(radarrHistory(later, 'grabbed', 'E'.repeat(40), { indexer: 'x' }, '2026-12-04T13:00:00Z'));
    const { report } = await sync.sync(store, new Date('2026-12-04T14:00:00Z'));
    assert.equal(report.sources.radarr?.read, 2, 'both records, the future one skipped by id');
    const titles = (await store.read.listRequests({ limit: 10 })).map((r) => r.title).sort();
    assert.deepEqual(titles, ['After The Skew', 'Clock Skew']);
  });

  it('a record that fails its schema is skipped and counted, with the field and reason; the others are applied', async () => {
    const movie = radarrMovie({ id: 9, title: 'Fine', year: 2024, tmdbId: 909 });
    radarr.addHistory(radarrHistory(movie, 'grabbed', 'D'.repeat(40), { indexer: 'x' }));
    radarr.addHistory({ ...radarrHistory(movie, 'grabbed', 'C'.repeat(40), { indexer: 'x' }), eventType: 42 });
    radarr.queue.push({ ...radarrQueueRecord(movie, 'B'.repeat(40)), size: 'big' });
    const { report } = await new MediaSync([radarrSource()], options).sync(store);
    const outcome = report.sources.radarr!;
    assert.deepEqual([outcome.ok, outcome.read, outcome.skipped], [true, 1, 2]);
    assert.match(outcome.skippedReason ?? '', /^history\[1\]\.eventType: expected string, received number$/);
    assert.deepEqual(
      (await store.read.listRequests({ limit: 10 })).map((r) => r.title),
      ['Fine'],
    );
  });

  it('a season pack whose records straddle two pages of the queue keeps all its episodes', async () => {
    const series = sonarrSeries({ id: 3, title: 'Straddle', year: 2024, tvdbId: 303, tmdbId: 333 });
    const episodes = sonarrEpisodes(3, 1, 12, '2026-01-01T00:00:00Z');
    // 495 pending releases (no download yet) first, then the pack: its records are 496 to 507.
    const pending = sonarrQueueRecords(series, sonarrEpisodes(3, 2, 495, '2026-01-01T00:00:00Z', 9000), '0'.repeat(40), { downloadId: undefined });
    sonarr.queue.push(...pending, ...sonarrQueueRecords(series, episodes, 'A'.repeat(40)));
    const source = new ArrSource({ name: 'sonarr', kind: 'sonarr', is4k: false }, new ArrClient('sonarr', { url: sonarr.url, apiKey: 'sonarr-key' }));
    const { report } = await new MediaSync([source], options).sync(store);
    assert.equal(calls(sonarr, '/api/v3/queue'), 2);
    assert.equal(report.sources.sonarr?.read, 507);
    const [show] = await store.read.listRequests({ limit: 10 });
    assert.deepEqual(
      show?.episodes.filter((e) => e.downloadId).map((e) => e.episode),
      episodes.map((e) => e.episodeNumber),
    );
  });

  it('stopped (its node closes): the sync under way ends at its next call and asks the service nothing more', async () => {
    radarr.queue.push(radarrQueueRecord(radarrMovie({ id: 1, title: 'Held', year: 2024, tmdbId: 111 }), 'A'.repeat(40)));
    let release!: () => void;
    radarr.hold = new Promise((resolve) => (release = resolve));
    const sync = new MediaSync([radarrSource()], options);
    const running = sync.sync(store);
    while (radarr.calls.length < 1) await new Promise((resolve) => setImmediate(resolve));
    const stopped = sync.stop();
    release();
    await stopped;
    const { report } = await running;
    assert.deepEqual([report.sources.radarr?.ok, report.sources.radarr?.error], [false, 'the sync was stopped']);
    assert.equal(radarr.calls.length, 1, 'the history only: the queue was never asked');
    assert.deepEqual(await store.read.listRequests({ limit: 10 }), []);
  });

  it('two syncs of one source (two nodes on one server, or the old and the new node of a redeploy) never run at once', async () => {
    radarr.queue.push(radarrQueueRecord(radarrMovie({ id: 1, title: 'Once', year: 2024, tmdbId: 111 }), 'A'.repeat(40)));
    const source = radarrSource();
    let release!: () => void;
    radarr.hold = new Promise((resolve) => (release = resolve));
    const first = new MediaSync([source], options).sync(store);
    while (radarr.calls.length < 1) await new Promise((resolve) => setImmediate(resolve));
    const second = new MediaSync([source], options).sync(store);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(radarr.calls.length, 1, 'the second waits for the first');
    radarr.hold = undefined;
    release();
    const [a, b] = await Promise.all([first, second]);
    assert.ok(a.report.ok && b.report.ok);
    assert.equal(radarr.maxInFlight, 1);
    assert.equal(radarr.calls.length, 4, 'history and queue, twice, one after the other');
  });
});
