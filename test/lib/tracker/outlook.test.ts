import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { MediaEvent } from '../../../lib/events';
import { StatusStore } from '../../../lib/store/store';
import { recordPredictions } from '../../../lib/tracker/outlook';
import { computeStats } from '../../../lib/tracker/stats';
import { DEFAULT_TRACK_OPTIONS, track } from '../../../lib/tracker/track';
import { FakeClock } from '../../support/clock';
import { run } from '../../support/events';
import { snapshotOf } from '../../support/snapshot';
import { tempDir } from '../../support/tmp';

/**
 * ETAs from this household's own timelines, seen from an injected clock: measured per stage from the
 * requests that finished, never invented without a basis, given once per state and settled when the
 * request becomes available (the status page's "ETAs off by").
 */

const dir = tempDir('mst-outlook-');
const HOUR = 3_600_000;
const MIN = 60_000;
const T0 = Date.parse('2026-11-01T10:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const hash = (n: number) => n.toString(16).toUpperCase().padStart(40, 'C');

let opened = 0;
async function open(clock: FakeClock): Promise<StatusStore> {
  return StatusStore.open(join(dir, `o${++opened}.db`), { clock, timeZone: 'UTC' });
}

const media = (n: number, extra: Record<string, unknown> = {}) => ({ mediaType: 'movie' as const, ids: { tmdb: 9000 + n }, title: `Film ${n}`, ...extra });

/** A movie's whole path: approved, grabbed an hour later, downloaded (imported) `downloadMin` later, playable `finishMin` after that. */
async function finished(store: StatusStore, n: number, start: number, downloadMin: number, finishMin: number): Promise<void> {
  const events: MediaEvent[] = [
    { source: 'jellyseerr', at: at(start), kind: 'approved', auto: false, media: media(n, { ids: { tmdb: 9000 + n, jellyseerrRequest: n } }) },
    { source: 'radarr', at: at(start + HOUR), kind: 'grabbed', downloadId: hash(n), episodes: [], media: media(n, { ids: { tmdb: 9000 + n, radarr: n } }) },
    {
      source: 'radarr',
      at: at(start + HOUR + downloadMin * MIN),
      kind: 'imported',
      downloadId: hash(n),
      episodes: [],
      files: [{ path: `/movies/Film ${n}/Film ${n}.mkv`, episodes: [] }],
      upgrade: false,
      media: media(n, { ids: { tmdb: 9000 + n, radarr: n } }),
    },
    {
      source: 'jellyfin',
      at: at(start + HOUR + (downloadMin + finishMin) * MIN),
      kind: 'available',
      episodes: [],
      jellyfinItemId: `item${n}`,
      media: media(n),
    },
  ];
  for (const event of events) await track(store, event, DEFAULT_TRACK_OPTIONS);
}

/** Movies finished a day apart from `start`, numbered from `first`: [download minutes, minutes from downloaded to available] each. */
async function finishedDaily(store: StatusStore, first: number, start: number, times: [number, number][]): Promise<void> {
  for (const [k, [downloadMin, finishMin]] of times.entries()) await finished(store, first + k, start + k * 24 * HOUR, downloadMin, finishMin);
}

describe('ETAs from measured stage times, on an injected clock', () => {
  it('no history: every ETA says it has no basis; with three finished movies: the median and range of each stage', async () => {
    const clock = new FakeClock(T0 + 30 * 24 * HOUR);
    const store = await open(clock);
    try {
      const now = clock.now();
      await track(
        store,
        { source: 'jellyseerr', at: at(now - 10 * MIN), kind: 'approved', auto: false, media: media(1, { ids: { tmdb: 9001, jellyseerrRequest: 1 } }) },
        DEFAULT_TRACK_OPTIONS,
      );
      await track(store, {
        source: 'radarr',
        at: at(now - 5 * MIN),
        kind: 'grabbed',
        downloadId: hash(1),
        episodes: [],
        media: media(1, { ids: { tmdb: 9001, radarr: 1 } }),
      });
      await track(store, {
        source: 'qbittorrent',
        at: at(now - MIN),
        kind: 'download-progress',
        downloadId: hash(1),
        state: 'DOWNLOADING',
        progress: 0.5,
        speed: 1_000_000,
        etaSeconds: 600,
        clientState: 'downloading',
      });
      const [blind] = await store.outlook.snapshots(await store.read.listRequests({ limit: 1 }));
      assert.deepEqual(blind!.eta, { at: null, low: null, high: null, basis: 'no basis yet: fewer than 3 movies measured from downloaded to available' });
      assert.equal(blind!.waiting?.code, 'downloading');

      // Three movies finished a month ago: downloads of 2, 3 and 4 h; 20, 30 and 40 min from downloaded to playable.
      await finishedDaily(store, 11, T0, [
        [120, 20],
        [180, 30],
        [240, 40],
      ]);
      clock.advance(11 * MIN); // past the ten minutes stage times are kept
      const [film] = (await store.outlook.snapshots(await store.read.listRequests({ limit: 10 }))).filter((s) => s.title === 'Film 1');
      // qBittorrent's 10 min, then the median 30 min (range 20..40) from downloaded to available.
      // qBittorrent's ETA counts from the moment the snapshot is seen.
      const view = clock.now();
      assert.deepEqual(film!.eta, {
        at: at(view + 10 * MIN + 30 * MIN),
        low: at(view + 10 * MIN + 20 * MIN),
        high: at(view + 10 * MIN + 40 * MIN),
        basis: "download client's ETA 10 min + typical 30 min to available (median of 3)",
      });
    } finally {
      await store.close();
    }
  });

  it('before a grab: the release date plus the typical times from release to grab, to download and to available', async () => {
    const clock = new FakeClock(T0 + 30 * 24 * HOUR);
    const store = await open(clock);
    try {
      await finishedDaily(store, 21, T0, [
        [60, 10],
        [120, 20],
        [180, 30],
      ]);
      const now = clock.now();
      const release = now + 2 * 24 * HOUR;
      await track(store, {
        source: 'jellyseerr',
        at: at(now - HOUR),
        kind: 'approved',
        auto: false,
        media: media(2, { ids: { tmdb: 9002, jellyseerrRequest: 2 } }),
      });
      const [record] = await store.read.listRequests({ limit: 1 });
      await track(store, {
        source: 'radarr',
        at: at(now),
        kind: 'arr-status',
        requestId: record!.id,
        media: media(2, { ids: { tmdb: 9002, radarr: 2 }, instance: 'radarr' }),
        status: {
          at: at(now),
          instance: 'radarr',
          present: true,
          monitored: true,
          released: false,
          releaseAt: at(release),
          releaseKind: 'digital',
          lastSearchAt: null,
          episodes: [],
        },
      });
      const snapshot = await store.outlook.snapshot((await store.read.getRequest(record!.id))!);
      assert.equal(snapshot.waiting?.code, 'not-released');
      assert.equal(
        snapshot.waiting?.text,
        `not released yet: digital release ${new Date(release).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' })}`,
      );
      // Grab 1 h after approval each time, download median 2 h, finish median 20 min.
      assert.deepEqual(snapshot.eta, {
        at: at(release + HOUR + 2 * HOUR + 20 * MIN),
        low: at(release + HOUR + HOUR + 10 * MIN),
        high: at(release + HOUR + 3 * HOUR + 30 * MIN),
        basis: `from release ${at(release).slice(0, 10)} + typical 1 h to grab (median of 3) + typical 2 h to download (median of 3) + typical 20 min to available (median of 3)`,
      });
    } finally {
      await store.close();
    }
  });

  it('each ETA is kept once per state and settled when the request becomes available: the median error is shown', async () => {
    const clock = new FakeClock(T0 + 30 * 24 * HOUR);
    const store = await open(clock);
    try {
      await finishedDaily(store, 31, T0, [
        [60, 30],
        [60, 30],
        [60, 30],
      ]);
      const now = clock.now();
      await track(store, { source: 'jellyseerr', at: at(now), kind: 'approved', auto: false, media: media(3, { ids: { tmdb: 9003, jellyseerrRequest: 3 } }) });
      await track(store, {
        source: 'radarr',
        at: at(now),
        kind: 'grabbed',
        downloadId: hash(3),
        episodes: [],
        media: media(3, { ids: { tmdb: 9003, radarr: 3 } }),
      });
      // The first three finished before any ETA was kept: only the new one gets one.
      assert.equal(await recordPredictions(store), 1);
      assert.equal(await recordPredictions(store), 0, 'once per state');
      assert.deepEqual(await store.read.etaErrors(), [], 'nothing settled yet');
      // Expected: now + 1 h download + 30 min; it plays 15 minutes late.
      await track(store, {
        source: 'radarr',
        at: at(now + HOUR),
        kind: 'imported',
        downloadId: hash(3),
        episodes: [],
        files: [{ path: '/movies/Film 3/Film 3.mkv', episodes: [] }],
        upgrade: false,
        media: media(3, { ids: { tmdb: 9003, radarr: 3 } }),
      });
      clock.advance(HOUR);
      assert.equal(await recordPredictions(store), 1, 'a new state, a new ETA');
      await track(store, { source: 'jellyfin', at: at(now + HOUR + 45 * MIN), kind: 'available', episodes: [], jellyfinItemId: 'item3', media: media(3) });
      await recordPredictions(store);
      const errors = await store.read.etaErrors();
      assert.deepEqual(
        errors.sort((a, b) => a - b),
        [15 * MIN, 15 * MIN],
      );
      assert.deepEqual(computeStats(await store.read.statsRows(), new Date(clock.now()), errors).etaError, { count: 2, medianMs: 15 * MIN });
    } finally {
      await store.close();
    }
  });
});

describe('why it waits, from what an arr queue says alone', () => {
  it("a queue's warning (a stalled torrent, a magnet without DHT, an error alike) is not read as stalled: the reason says what is known and where to look", () => {
    const start = T0;
    const record = run([
      { source: 'jellyseerr', at: at(start), kind: 'approved', auto: false, media: media(5, { ids: { tmdb: 9005, jellyseerrRequest: 5 } }) },
      { source: 'radarr', at: at(start + MIN), kind: 'grabbed', downloadId: hash(5), episodes: [], media: media(5, { ids: { tmdb: 9005, radarr: 5 } }) },
      {
        source: 'radarr',
        at: at(start + 2 * MIN),
        kind: 'download-progress',
        downloadId: hash(5),
        state: 'DOWNLOADING',
        progress: 0.3,
        clientState: 'Radarr warning',
      },
    ]);
    const snapshot = snapshotOf(record);
    assert.deepEqual(snapshot.waiting, {
      code: 'unknown',
      text: "Radarr's queue warns about it at 30 %",
      // Since it started downloading (the queue's first word moved it on from GRABBING).
      since: at(start + 2 * MIN),
      next: { action: 'open-arr', text: "see why in Radarr's Activity > Queue" },
    });
  });
});
