import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Skips } from '../../lib/services/http/api-client';
import { ArrClient } from '../../lib/services/arr/client';
import { JellyseerrClient } from '../../lib/services/jellyseerr/client';
import type { RequestRecord } from '../../lib/model';
import { ArrSource } from '../../lib/services/arr/sync-source';
import { JellyseerrSource } from '../../lib/services/jellyseerr/sync-source';
import { MediaSync, type SyncOutcome } from '../../lib/sync';
import { StatusStore } from '../../lib/store/store';
import { stateChangeOf } from '../../lib/tracker/messages';
import { FIXED_VIEW, downloadRecord, snapshotOf } from '../support/snapshot';
import { DEFAULT_TRACK_OPTIONS } from '../../lib/tracker/track';
import {
  FakeArr,
  FakeJellyseerr,
  radarrHistory,
  radarrMovie,
  radarrQueueRecord,
  sonarrEpisodes,
  sonarrHistory,
  sonarrQueueRecords,
  sonarrSeries,
} from '../fakes/arr-apis';
import { INTERSTELLAR, movieBodies } from '../support/bodies';
import { fixture, type Body } from '../support/fixtures';
import { countWrites, hook, hooks, STORE_MODES } from '../support/store';
import { tempDir } from '../support/tmp';

const HASH = (c: string) => c.repeat(40);

for (const mode of STORE_MODES)
  describe(`sync from the Jellyseerr, Radarr and Sonarr APIs (store: ${mode.name})`, () => {
    const dir = tempDir('mst-sync-');
    let n = 0;
    let store: StatusStore;
    let jellyseerr: FakeJellyseerr;
    let radarr: FakeArr;
    let radarr4k: FakeArr;
    let sonarr: FakeArr;

    const sources = () => [
      new JellyseerrSource('jellyseerr', new JellyseerrClient({ url: jellyseerr.url, apiKey: 'jellyseerr-key' })),
      new ArrSource({ name: 'radarr', kind: 'radarr', is4k: false }, new ArrClient('radarr', { url: radarr.url, apiKey: 'radarr-key' })),
      new ArrSource({ name: 'radarr-4k', kind: 'radarr', is4k: true }, new ArrClient('radarr', { url: radarr4k.url, apiKey: 'radarr4k-key' })),
      new ArrSource({ name: 'sonarr', kind: 'sonarr', is4k: false }, new ArrClient('sonarr', { url: sonarr.url, apiKey: 'sonarr-key' })),
    ];
    let sync: MediaSync;
    const run = (at = new Date()): Promise<SyncOutcome> => sync.sync(store, at);
    const all = () => store.read.listRequests({ limit: 100 });
    const byTitle = async (title: string): Promise<RequestRecord> => {
      const found = (await all()).find((r) => r.title === title);
      assert.ok(found, `no request titled ${title}`);
      return found;
    };
    const timelineOf = (r: RequestRecord) => store.read.timeline(r.id);

    beforeEach(async () => {
      jellyseerr = await new FakeJellyseerr().start();
      radarr = await new FakeArr('radarr').start();
      radarr4k = await new FakeArr('radarr', 'radarr4k-key').start();
      sonarr = await new FakeArr('sonarr').start();
      store = await StatusStore.open(join(dir, `sync${++n}.db`), { writeBehind: mode.writeBehind });
      sync = new MediaSync(sources(), { historyDays: 90, track: DEFAULT_TRACK_OPTIONS });
    });
    afterEach(async () => {
      await store.close();
      await Promise.all([jellyseerr.stop(), radarr.stop(), radarr4k.stop(), sonarr.stop()]);
    });

    it('installed into a running household: pending, downloading and available requests are in their true state after the first sync, without a webhook', async () => {
      jellyseerr.addRequest({ id: 1, type: 'movie', tmdbId: 101, status: 1, mediaStatus: 2, title: 'Pending Film', year: 2024, requester: 'adept' });
      jellyseerr.addRequest({ id: 2, type: 'movie', tmdbId: 102, status: 2, mediaStatus: 3, arrId: 12, title: 'Downloading Film' });
      jellyseerr.addRequest({ id: 3, type: 'movie', tmdbId: 103, status: 5, mediaStatus: 5, arrId: 13, title: 'Available Film' });
      const movie = radarrMovie({ id: 12, title: 'Downloading Film', year: 2020, tmdbId: 102 });
      radarr.queue.push(
        radarrQueueRecord(movie, HASH('B'), { size: 1000, sizeleft: 600, status: 'downloading', trackedDownloadState: 'downloading', timeleft: '00:10:00' }),
      );

      const { report } = await run();
      assert.deepEqual(report.sources.jellyseerr, { ok: true, read: 3, skipped: 0, changed: 3 });
      assert.deepEqual(report.sources.radarr, { ok: true, read: 1, skipped: 0, changed: 1 });
      const pending = await byTitle('Pending Film');
      assert.deepEqual([pending.state, pending.year, pending.requestedBy], ['REQUESTED', 2024, 'adept']);
      assert.match(pending.posterUrl ?? '', /^https:\/\/image\.tmdb\.org\/t\/p\/w600_and_h900_bestv2\//);
      const downloading = await byTitle('Downloading Film');
      assert.equal(downloading.state, 'DOWNLOADING');
      assert.deepEqual(downloading.downloads, [
        downloadRecord({ id: HASH('B'), progress: 0.4, state: 'DOWNLOADING', etaSeconds: 600, instance: 'radarr', clientState: 'Radarr downloading' }),
      ]);
      assert.equal(downloading.ids.radarr, 12);
      assert.equal((await byTitle('Available Film')).state, 'AVAILABLE');
      assert.ok(
        jellyseerr.calls.some((c) => c.startsWith('GET /api/v1/request?') && c.includes('take=100')),
        'requests are read 100 at a time',
      );
    });

    it('the first sync reads requests and history from SYNC_HISTORY_DAYS back; later syncs from the cursor, which survives a restart', async () => {
      const now = new Date('2026-03-01T12:00:00.000Z');
      jellyseerr.addRequest({ id: 1, type: 'movie', tmdbId: 101, status: 5, mediaStatus: 5, createdAt: '2025-01-01T00:00:00.000Z', title: 'Too Old' });
      jellyseerr.addRequest({ id: 4, type: 'movie', tmdbId: 104, status: 2, mediaStatus: 3, createdAt: '2025-01-02T00:00:00.000Z', title: 'Old But Open' });
      jellyseerr.addRequest({ id: 2, type: 'movie', tmdbId: 102, status: 2, mediaStatus: 3, createdAt: '2026-02-20T00:00:00.000Z', title: 'Recent' });
      const movie = radarrMovie({ id: 12, title: 'Recent', year: 2020, tmdbId: 102 });
      radarr.addHistory(radarrHistory(movie, 'grabbed', HASH('C'), { indexer: 'Nyaa', sourceTitle: 'Recent.2020.1080p' }, '2026-02-21T10:00:00Z'));
      await run(now);
      // Finished requests older than the window are history; one still in progress is tracked whatever its age.
      assert.deepEqual((await all()).map((r) => r.title).sort(), ['Old But Open', 'Recent']);
      assert.equal((await byTitle('Recent')).state, 'GRABBING');
      assert.ok(
        radarr.calls.some((c) => c.includes(`/history/since?date=${encodeURIComponent('2025-12-01T12:00:00.000Z')}`)),
        radarr.calls.join('\n'),
      );

      // Restart: a new store connection and new sources, the same file.
      const file = store.file;
      await store.close();
      store = await StatusStore.open(file, { writeBehind: mode.writeBehind });
      sync = new MediaSync(sources(), { historyDays: 90, track: DEFAULT_TRACK_OPTIONS });
      radarr.calls.length = 0;
      radarr.addHistory(
        radarrHistory(
          movie,
          'downloadFolderImported',
          HASH('C'),
          { importedPath: '/movies/Recent (2020)/Recent.mkv', sourceTitle: 'Recent' },
          '2026-02-22T10:00:00Z',
        ),
      );
      jellyseerr.addRequest({ id: 5, type: 'movie', tmdbId: 105, status: 1, mediaStatus: 2, title: 'New Since' });
      const { report } = await run(new Date('2026-03-01T12:10:00.000Z'));
      assert.ok(
        radarr.calls.some((c) => c.includes(`/history/since?date=${encodeURIComponent('2026-02-21T10:00:00Z')}`)),
        'from the cursor, not 90 days back',
      );
      assert.equal(report.sources.radarr?.read, 2, 'the record at the cursor (>=) and the new one');
      const recent = await byTitle('Recent');
      assert.equal(recent.state, 'IMPORTING', 'the missed import, caught from history');
      assert.equal(recent.finalPath, '/movies/Recent (2020)/Recent.mkv');
      assert.equal((await byTitle('New Since')).state, 'REQUESTED');
      assert.equal((await timelineOf(recent)).filter((e) => e.event === 'grabbed').length, 1, 'the grab at the cursor is not applied twice');
    });

    it('a sync after the webhooks, and webhooks after a sync, add no timeline entry; a sync that finds nothing new writes nothing', async () => {
      const m = movieBodies(INTERSTELLAR);
      await hooks(store, [
        ['jellyseerr', m.pending],
        ['jellyseerr', m.approved],
        ['radarr', m.grab],
        ['radarr', m.imported],
      ]);
      const tracked = await byTitle('Interstellar');
      const before = await timelineOf(tracked);
      const movie = radarrMovie({ id: m.grab.movie.id, title: 'Interstellar', year: 2014, tmdbId: INTERSTELLAR.tmdb });
      jellyseerr.addRequest({
        id: INTERSTELLAR.requestId,
        type: 'movie',
        tmdbId: INTERSTELLAR.tmdb,
        status: 2,
        mediaStatus: 3,
        arrId: movie.id,
        title: 'Interstellar',
      });
      radarr.addHistory(radarrHistory(movie, 'grabbed', INTERSTELLAR.hash, { indexer: 'x', sourceTitle: m.grab.release.releaseTitle }));
      radarr.addHistory(radarrHistory(movie, 'downloadFolderImported', INTERSTELLAR.hash, { importedPath: m.imported.movieFile.path, sourceTitle: 'x' }));
      await run();
      assert.deepEqual(await timelineOf(tracked), before, 'the sync knew nothing the webhooks had not said');

      // The other way round: a request the sync found first, then its webhooks arrive late.
      const v = movieBodies({ ...INTERSTELLAR, title: 'Late Hooks', tmdb: 4242, requestId: 177, hash: HASH('D') });
      const late = radarrMovie({ id: 55, title: 'Late Hooks', year: 2014, tmdbId: 4242 });
      jellyseerr.addRequest({ id: 177, type: 'movie', tmdbId: 4242, status: 2, mediaStatus: 3, arrId: 55, title: 'Late Hooks' });
      radarr.addHistory(radarrHistory(late, 'grabbed', HASH('D'), { indexer: 'x', sourceTitle: 'Late.Hooks' }));
      await run();
      const found = await byTitle('Late Hooks');
      const afterSync = await timelineOf(found);
      v.approved.request.request_id = '177';
      v.grab.movie.id = 55;
      await hook(store, 'jellyseerr', v.approved);
      await hook(store, 'radarr', v.grab);
      assert.deepEqual(await timelineOf(found), afterSync, 'the late webhooks are duplicates');

      const writes = countWrites(store);
      const calls = jellyseerr.calls.length + radarr.calls.length + sonarr.calls.length;
      const { report } = await run();
      assert.equal(writes.count, 0, 'no transaction');
      assert.ok(Object.values(report.sources).every((s) => s.ok && s.changed === 0));
      assert.ok(jellyseerr.calls.length + radarr.calls.length + sonarr.calls.length - calls <= 6, 'a few HTTP calls per source');
    });

    it('a season request: every aired episode is tracked from the start, so one grabbed episode does not make it AVAILABLE', async () => {
      const series = sonarrSeries({ id: 23, title: 'Lycoris Recoil', year: 2022, tvdbId: 414057, tmdbId: 154494 });
      sonarr.episodes.set(23, sonarrEpisodes(23, 1, 13, '2022-07-02T15:00:00Z'));
      jellyseerr.addRequest({ id: 5, type: 'tv', tmdbId: 154494, tvdbId: 414057, status: 2, mediaStatus: 3, seasons: [1], arrId: 23, title: 'Lycoris Recoil' });
      await run();
      let show = await byTitle('Lycoris Recoil');
      assert.equal(show.episodes.length, 13);
      assert.ok(show.episodes.every((e) => e.state === 'APPROVED'));
      const [e1] = sonarr.episodes.get(23)!;
      sonarr.addHistory(sonarrHistory(series, e1, 'grabbed', HASH('E'), { indexer: 'Nyaa', sourceTitle: 'Lycoris.Recoil.S01E01' }));
      sonarr.addHistory(sonarrHistory(series, e1, 'downloadFolderImported', HASH('E'), { importedPath: '/shows/Lycoris Recoil/S01E01.mkv' }));
      await run();
      show = await byTitle('Lycoris Recoil');
      assert.equal(show.episodes[0]?.state, 'IMPORTING');
      assert.equal(show.state, 'APPROVED', 'twelve aired episodes are not even grabbed');
      assert.notEqual(show.state, 'AVAILABLE');
    });

    it('a request known only by its TVDB id (no grab, Jellyseerr without the arr id): found in Sonarr by it, every aired episode listed, its series id kept; a show Sonarr lacks is left alone', async () => {
      sonarr.series.push(sonarrSeries({ id: 23, title: 'Lycoris Recoil', year: 2022, tvdbId: 414057, tmdbId: 154494 }));
      sonarr.episodes.set(23, sonarrEpisodes(23, 1, 13, '2022-07-02T15:00:00Z'));
      jellyseerr.addRequest({ id: 5, type: 'tv', tmdbId: 154494, tvdbId: 414057, status: 2, mediaStatus: 3, seasons: [1], title: 'Lycoris Recoil' });
      jellyseerr.addRequest({ id: 6, type: 'tv', tmdbId: 999, tvdbId: 999000, status: 2, mediaStatus: 3, seasons: [1], title: 'Not In Sonarr' });
      await run();
      const show = await byTitle('Lycoris Recoil');
      assert.deepEqual([show.episodes.length, show.ids.sonarr], [13, 23]);
      assert.ok(show.episodes.every((e) => e.state === 'APPROVED'));
      assert.deepEqual((await byTitle('Not In Sonarr')).episodes, []);
      assert.deepEqual(
        sonarr.calls.filter((c) => c.startsWith('GET /api/v3/series')),
        ['GET /api/v3/series?tvdbId=414057', 'GET /api/v3/series?tvdbId=999000'],
      );
      await run();
      assert.equal(sonarr.calls.filter((c) => c.startsWith('GET /api/v3/series')).length, 2, 'the answers are kept');
    });

    it("a pack imported while Node-RED was down (the queue empty again, the import only in Sonarr's history): after a restart each episode gets its file, as the import webhook places them", async () => {
      const series = sonarrSeries({ id: 23, title: 'Lycoris Recoil', year: 2022, tvdbId: 414057, tmdbId: 154494 });
      const episodes = sonarrEpisodes(23, 1, 3, '2022-07-02T15:00:00Z');
      sonarr.episodes.set(23, episodes);
      jellyseerr.addRequest({ id: 5, type: 'tv', tmdbId: 154494, tvdbId: 414057, status: 2, mediaStatus: 3, seasons: [1], arrId: 23, title: 'Lycoris Recoil' });
      for (const e of episodes) sonarr.addHistory(sonarrHistory(series, e, 'grabbed', HASH('F'), { indexer: 'Nyaa', sourceTitle: 'Lycoris.Recoil.S01.1080p' }));
      await run();
      // Down; meanwhile Sonarr imports the pack and the queue empties. Then a restart: new sources.
      const paths = episodes.map((e) => `/shows/Lycoris Recoil/Season 1/Lycoris Recoil - S01E0${e.episodeNumber}.mkv`);
      episodes.forEach((e, i) =>
        sonarr.addHistory(
          sonarrHistory(series, { ...e, hasFile: true }, 'downloadFolderImported', HASH('F'), { importedPath: paths[i], droppedPath: `/downloads/${i}.mkv` }),
        ),
      );
      sync = new MediaSync(sources(), { historyDays: 90, track: DEFAULT_TRACK_OPTIONS });
      await run();
      const show = await byTitle('Lycoris Recoil');
      assert.deepEqual(
        show.episodes.map((e) => [e.episode, e.state, e.finalPath]),
        episodes.map((e, i) => [e.episodeNumber, 'IMPORTING', paths[i]]),
      );
    });

    it('an airing show grabbed episode by episode across weeks: each new episode is tracked and announced', async () => {
      const series = sonarrSeries({ id: 31, title: 'Frieren', year: 2023, tvdbId: 424536, tmdbId: 209867 });
      const episodes = sonarrEpisodes(31, 1, 3, '2026-01-01T15:00:00Z');
      sonarr.episodes.set(31, episodes);
      jellyseerr.addRequest({ id: 6, type: 'tv', tmdbId: 209867, tvdbId: 424536, status: 2, mediaStatus: 3, seasons: [1], arrId: 31, title: 'Frieren' });
      const week = (k: number) => new Date(Date.parse('2026-01-01T16:00:00Z') + k * 7 * 86_400_000);
      await run(week(0));
      let show = await byTitle('Frieren');
      assert.deepEqual(
        show.episodes.map((e) => e.episode),
        [1],
      );
      assert.deepEqual(
        show.upcoming.map((u) => [u.episode, u.airDate]),
        [
          [2, '2026-01-08T15:00:00.000Z'],
          [3, '2026-01-15T15:00:00.000Z'],
        ],
      );

      const summaries: string[] = [];
      for (const [k, episode] of episodes.entries()) {
        const hash = HASH(String(k + 1));
        sonarr.addHistory(
          sonarrHistory(
            series,
            episode,
            'grabbed',
            hash,
            { indexer: 'Nyaa', sourceTitle: `Frieren.S01E0${k + 1}` },
            week(k)
              .toISOString()
              .replace(/\.\d+Z$/, 'Z'),
          ),
        );
        sonarr.addHistory(
          sonarrHistory(
            series,
            episode,
            'downloadFolderImported',
            hash,
            { importedPath: `/shows/Frieren/S01E0${k + 1}.mkv` },
            week(k)
              .toISOString()
              .replace(/\.\d+Z$/, 'Z'),
          ),
        );
        await run(week(k));
        // Jellyfin says it plays (its own webhook).
        const result = await hook(store, 'jellyfin', {
          NotificationType: 'ItemAdded',
          ItemType: 'Episode',
          ItemId: `${k}`.padStart(32, 'f'),
          SeriesName: 'Frieren',
          SeasonNumber: 1,
          EpisodeNumber: k + 1,
          Provider_tvdb: String(episode.tvdbId),
        });
        const change = stateChangeOf(result, FIXED_VIEW);
        assert.ok(change, `E0${k + 1} is news`);
        assert.deepEqual(
          change.payload.episodes.map((e) => e.episode),
          [k + 1],
        );
        summaries.push(change.payload.summary);
      }
      show = await byTitle('Frieren');
      assert.deepEqual(
        show.episodes.map((e) => [e.episode, e.state]),
        [
          [1, 'AVAILABLE'],
          [2, 'AVAILABLE'],
          [3, 'AVAILABLE'],
        ],
      );
      // The first time the request is available it says so; after that each new episode is the news.
      assert.deepEqual(summaries, ['Frieren (2020): 1/1 episode available', 'Frieren: S01E02 is available (2/2)', 'Frieren: S01E03 is available (3/3)']);
    });

    it("an import blocked in Sonarr's queue is attention, in Sonarr's own words", async () => {
      // The reference's records, with the series and episodes Sonarr embeds when asked (includeSeries, includeEpisode).
      const series = sonarrSeries({ id: 23, title: 'Lycoris Recoil', year: 2022, tvdbId: 414057, tmdbId: 154494 });
      const episodes = sonarrEpisodes(23, 1, 13, '2022-07-02T15:00:00Z', 739);
      const records = fixture('api/sonarr-queue-import-blocked').records as Body[];
      sonarr.queue.push(...records.map((r) => ({ ...r, series, episode: episodes.find((e) => e.id === r.episodeId) })));
      await run();
      const [show] = await all();
      assert.ok(show);
      assert.equal(show.attention?.kind, 'import-blocked');
      assert.match(show.attention?.reason ?? '', /One or more episodes expected in this release were not imported.*Not a quality revision upgrade/);
      assert.equal(show.state, 'DOWNLOADED');
    });

    it('a movie deleted in Radarr is removed and leaves the active list; a later grab brings it back', async () => {
      jellyseerr.addRequest({ id: 8, type: 'movie', tmdbId: 108, status: 5, mediaStatus: 5, arrId: 18, title: 'Gone Film' });
      await run();
      const movie = radarrMovie({ id: 18, title: 'Gone Film', year: 2020, tmdbId: 108 });
      // After the first sync (Radarr's history dates are to the second: a second later, not the same second).
      const deletedAt = new Date(Date.now() + 1000).toISOString();
      radarr.addHistory(radarrHistory(movie, 'movieFileDeleted', undefined, { reason: 'Manual', sourceTitle: '/movies/Gone Film/Gone.mkv' }, deletedAt));
      await run();
      let gone = await byTitle('Gone Film');
      assert.ok(gone.removedAt);
      assert.equal(gone.state, 'AVAILABLE');
      assert.deepEqual(await store.read.listRequests({ activeOnly: true, limit: 10 }), []);
      assert.match((await timelineOf(gone)).at(-1)?.detail ?? '', /file deleted: \/movies\/Gone Film\/Gone.mkv \(manual\)/);

      radarr.addHistory(
        radarrHistory(movie, 'grabbed', HASH('F'), { indexer: 'x', sourceTitle: 'Gone.Film.2160p' }, new Date(Date.parse(deletedAt) + 1000).toISOString()),
      );
      await run();
      gone = await byTitle('Gone Film');
      assert.equal(gone.removedAt, null);
      assert.equal(gone.state, 'AVAILABLE', 'a grab of an AVAILABLE movie is an upgrade');
    });

    it('an upgrade deletes no movie: a file deleted for an upgrade is not a removal', async () => {
      jellyseerr.addRequest({ id: 9, type: 'movie', tmdbId: 109, status: 5, mediaStatus: 5, arrId: 19, title: 'Upgraded' });
      await run();
      const movie = radarrMovie({ id: 19, title: 'Upgraded', year: 2020, tmdbId: 109 });
      radarr.addHistory(radarrHistory(movie, 'movieFileDeleted', undefined, { reason: 'Upgrade', sourceTitle: '/movies/Upgraded/old.mkv' }));
      await run();
      assert.equal((await byTitle('Upgraded')).removedAt, null);
    });

    it('4K and HD requests for the same film never exchange events', async () => {
      jellyseerr.addRequest({ id: 10, type: 'movie', tmdbId: 157336, status: 2, mediaStatus: 3, arrId: 60, title: 'Interstellar', requester: 'adept' });
      jellyseerr.addRequest({
        id: 11,
        type: 'movie',
        tmdbId: 157336,
        status: 2,
        mediaStatus: 3,
        is4k: true,
        arrId: 7,
        title: 'Interstellar',
        requester: 'kana',
      });
      radarr.queue.push(radarrQueueRecord(radarrMovie({ id: 60, title: 'Interstellar', year: 2014, tmdbId: 157336 }), HASH('1'), { size: 100, sizeleft: 50 }));
      radarr4k.queue.push(radarrQueueRecord(radarrMovie({ id: 7, title: 'Interstellar', year: 2014, tmdbId: 157336 }), HASH('4'), { size: 100, sizeleft: 90 }));
      await run();
      const requests = (await all()).filter((r) => r.title === 'Interstellar');
      const hd = requests.find((r) => !r.is4k);
      const uhd = requests.find((r) => r.is4k);
      assert.ok(hd && uhd);
      assert.deepEqual([hd.requestedBy, hd.downloads.map((d) => [d.id, d.instance, d.progress])], ['adept', [[HASH('1'), 'radarr', 0.5]]]);
      assert.deepEqual([uhd.requestedBy, uhd.downloads.map((d) => [d.id, d.instance, d.progress])], ['kana', [[HASH('4'), 'radarr-4k', 0.1]]]);
      assert.equal(hd.ids.radarr, 60);
      assert.equal(uhd.ids.radarr, null, 'ids.radarr stays the HD id');
      assert.deepEqual(uhd.instances, [{ name: 'radarr-4k', kind: 'radarr', is4k: true, id: 7 }]);
    });

    it('an approved film nothing grabbed, known only by its TMDB id: each Radarr of its kind (HD, 4K) reads its record, once an hour, for why it waits; one that lacks it says so', async () => {
      jellyseerr.addRequest({ id: 20, type: 'movie', tmdbId: 157336, status: 2, mediaStatus: 3, title: 'Interstellar', requester: 'adept' });
      jellyseerr.addRequest({ id: 21, type: 'movie', tmdbId: 157336, status: 2, mediaStatus: 3, is4k: true, title: 'Interstellar', requester: 'kana' });
      jellyseerr.addRequest({ id: 22, type: 'movie', tmdbId: 424242, status: 2, mediaStatus: 3, title: 'Nowhere' });
      radarr.movies.push({ ...radarrMovie({ id: 60, title: 'Interstellar', year: 2014, tmdbId: 157336 }), lastSearchTime: '2026-11-30T18:05:00Z' });
      radarr4k.movies.push({ ...radarrMovie({ id: 7, title: 'Interstellar', year: 2014, tmdbId: 157336 }), monitored: false });
      const at = new Date('2026-12-01T12:00:00Z');
      await run(at);
      const requests = await all();
      const view = { ...FIXED_VIEW, now: at };
      const hd = requests.find((r) => r.title === 'Interstellar' && !r.is4k)!;
      const uhd = requests.find((r) => r.title === 'Interstellar' && r.is4k)!;
      assert.deepEqual([hd.arr?.instance, snapshotOf(hd, view).waiting?.code, hd.ids.radarr], ['radarr', 'no-release-found', 60]);
      assert.deepEqual([uhd.arr?.instance, snapshotOf(uhd, view).waiting?.code, uhd.ids.radarr], ['radarr-4k', 'not-monitored', null]);
      assert.deepEqual(uhd.instances, [{ name: 'radarr-4k', kind: 'radarr', is4k: true, id: 7 }]);
      assert.equal(snapshotOf(await byTitle('Nowhere'), view).waiting?.code, 'not-in-arr');
      const lookups = () => [radarr, radarr4k].map((arr) => arr.calls.filter((c) => c.startsWith('GET /api/v3/movie?')).sort());
      assert.deepEqual(lookups(), [['GET /api/v3/movie?tmdbId=157336', 'GET /api/v3/movie?tmdbId=424242'], ['GET /api/v3/movie?tmdbId=157336']]);
      await run(new Date(at.getTime() + 30 * 60_000));
      assert.equal(lookups().flat().length, 3, 'not asked again within the hour');
      await run(new Date(at.getTime() + 61 * 60_000));
      assert.equal(lookups().flat().length, 6, 'asked again after it');
    });

    it('one source down or refusing the key never stops the others, and is retried on the next sync', async () => {
      jellyseerr.addRequest({ id: 12, type: 'movie', tmdbId: 112, status: 2, mediaStatus: 3, arrId: 22, title: 'Still Synced' });
      radarr.down = true;
      sonarr.queue.push(
        ...sonarrQueueRecords(
          sonarrSeries({ id: 40, title: 'Blocked', year: 2020, tvdbId: 40, tmdbId: 40 }),
          sonarrEpisodes(40, 1, 1, '2020-01-01T00:00:00Z'),
          HASH('9'),
        ),
      );
      const unauthorised = new ArrSource({ name: 'radarr-4k', kind: 'radarr', is4k: true }, new ArrClient('radarr', { url: radarr4k.url, apiKey: 'wrong' }));
      sync = new MediaSync([...sources().filter((s) => s.name !== 'radarr-4k'), unauthorised], { historyDays: 90, track: DEFAULT_TRACK_OPTIONS });
      const { report } = await run();
      assert.equal(report.ok, false);
      assert.equal(report.sources.radarr?.ok, false);
      assert.match(report.sources.radarr?.error ?? '', /Radarr is unreachable/);
      assert.match(report.sources['radarr-4k']?.error ?? '', /unauthorised \(401\)/);
      assert.ok(report.sources.jellyseerr?.ok && report.sources.sonarr?.ok);
      assert.equal((await byTitle('Still Synced')).state, 'APPROVED');
      assert.equal((await byTitle('Blocked')).state, 'DOWNLOADING');

      radarr.down = false;
      radarr.queue.push(radarrQueueRecord(radarrMovie({ id: 22, title: 'Still Synced', year: 2020, tmdbId: 112 }), HASH('A'), { size: 10, sizeleft: 5 }));
      const again = await run();
      assert.equal(again.report.sources.radarr?.ok, true);
      assert.equal((await byTitle('Still Synced')).state, 'DOWNLOADING');
    });
  });

describe('the arr and Jellyseerr API clients', () => {
  it('say what a call found: ok, unauthorised, unreachable, or another service at that URL', async () => {
    const radarr = await new FakeArr('radarr').start();
    const jellyseerr = await new FakeJellyseerr().start();
    try {
      const ok = new ArrClient('radarr', { url: radarr.url, apiKey: 'radarr-key' });
      await ok.queued([], []);
      assert.equal(ok.api.health.state, 'ok');
      assert.ok(radarr.calls.every((c) => c.includes('pageSize=500')));

      const wrongKey = new ArrClient('radarr', { url: radarr.url, apiKey: 'nope' });
      await assert.rejects(wrongKey.queued([], []), /Radarr \/api\/v3\/queue: unauthorised \(401\): check the API key/);
      assert.equal(wrongKey.api.health.state, 'unauthorised');

      // A Sonarr pointed at Jellyseerr's URL (it answers the arrs' paths with 404).
      const wrongService = new ArrClient('sonarr', { url: jellyseerr.url, apiKey: 'jellyseerr-key' });
      await assert.rejects(wrongService.historySince('2026-01-01T00:00:00Z', new Skips()), /not found \(404\): is this Sonarr at that URL\?/);
      assert.equal(wrongService.api.health.state, 'wrong-service');
      // And the other way round.
      const seerrAtRadarr = new JellyseerrClient({ url: radarr.url, apiKey: 'radarr-key' });
      await assert.rejects(seerrAtRadarr.requests('all', 0, 10, new Skips()), /Jellyseerr \/api\/v1\/request: not found/);

      await radarr.stop();
      await assert.rejects(ok.queued([], []), /Radarr is unreachable/);
      assert.equal(ok.api.health.state, 'unreachable');
      assert.ok(!JSON.stringify(ok.api.health).includes('radarr-key'), 'the key is in no message');
    } finally {
      await jellyseerr.stop();
    }
  });
});
