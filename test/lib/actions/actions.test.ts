import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MediaActions, REPEAT_MS, type ActionOptions } from '../../../lib/actions/actions';
import { AutoRetry, DEFAULT_AUTO_RETRY, type AutoRetryOptions } from '../../../lib/actions/auto-retry';
import { ActionError, type ActionServices } from '../../../lib/actions/common';
import { DeletionSync, type DeletionOptions } from '../../../lib/actions/deletion';
import { JellyfinClient } from '../../../lib/services/jellyfin/client';
import { ArrClient } from '../../../lib/services/arr/client';
import { JellyseerrClient } from '../../../lib/services/jellyseerr/client';
import { QbitClient } from '../../../lib/services/qbittorrent/client';
import { StatusStore } from '../../../lib/store/store';
import { DEFAULT_TRACK_OPTIONS } from '../../../lib/tracker/track';
import type { WebhookSource } from '../../../lib/services/webhooks';
import { FakeArr, FakeJellyseerr, radarrMovie, radarrQueueRecord, sonarrEpisodes, sonarrQueueRecords, sonarrSeries } from '../../fakes/arr-apis';
import { FakeJellyfin } from '../../fakes/jellyfin';
import { FakeQbittorrent } from '../../fakes/qbittorrent';
import { LYCORIS, VIOLET, movieBodies, showBodies } from '../../support/bodies';
import { clone, fixture, type Body } from '../../support/fixtures';
import { hook, STORE_MODES } from '../../support/store';
import { tempDir } from '../../support/tmp';

/** media-action's work against servers speaking the arr, Jellyseerr and qBittorrent APIs, which record what they were asked. */

for (const mode of STORE_MODES)
  describe(`actions on a request (store: ${mode.name})`, () => {
    const dir = tempDir('mst-actions-');
    let n = 0;
    let store: StatusStore;
    let radarr: FakeArr;
    let sonarr: FakeArr;
    let jellyseerr: FakeJellyseerr;
    let qbit: FakeQbittorrent;
    let clock: number;
    /** A webhook arriving at the test clock's time, so timelines read in the order the test plays them. */
    const arrive = (source: WebhookSource, body: Body) => hook(store, source, body, DEFAULT_TRACK_OPTIONS, new Date(clock));
    const v = movieBodies(VIOLET);
    const s = showBodies(LYCORIS);
    const movie = radarrMovie({ id: VIOLET.radarrId, title: VIOLET.title, year: VIOLET.year, tmdbId: VIOLET.tmdb });
    const series = sonarrSeries({ id: LYCORIS.sonarrId, title: LYCORIS.title, year: LYCORIS.year, tvdbId: LYCORIS.tvdb, tmdbId: LYCORIS.tmdb });
    const episodes = sonarrEpisodes(LYCORIS.sonarrId, 1, 13, '2022-07-02T15:00:00Z', LYCORIS.sonarrId * 1000 + 1);

    const services = (): ActionServices => ({
      arrs: [
        { instance: { name: 'radarr', kind: 'radarr', is4k: false }, client: new ArrClient('radarr', { url: radarr.url, apiKey: 'radarr-key' }) },
        { instance: { name: 'sonarr', kind: 'sonarr', is4k: false }, client: new ArrClient('sonarr', { url: sonarr.url, apiKey: 'sonarr-key' }) },
      ],
      jellyseerr: new JellyseerrClient({ url: jellyseerr.url, apiKey: 'jellyseerr-key' }),
      qbittorrent: new QbitClient({ url: qbit.url, username: 'admin', password: 'adminadmin' }),
    });
    const actions = (options: Partial<ActionOptions> = {}) =>
      new MediaActions(store, services(), { track: DEFAULT_TRACK_OPTIONS, now: () => clock, ...options });
    const writeCalls = (arr: FakeArr) => arr.calls.filter((c) => !c.startsWith('GET '));
    const lastEntry = async (id: number) => (await store.read.timeline(id)).at(-1);

    beforeEach(async () => {
      clock = Date.parse('2026-02-01T10:00:00.000Z');
      [radarr, sonarr, jellyseerr] = await Promise.all([new FakeArr('radarr').start(), new FakeArr('sonarr').start(), new FakeJellyseerr().start()]);
      qbit = new FakeQbittorrent();
      await qbit.start();
      sonarr.episodes.set(LYCORIS.sonarrId, episodes);
      store = await StatusStore.open(join(dir, `a${++n}.db`), { writeBehind: mode.writeBehind });
    });
    afterEach(async () => {
      await store.close();
      await Promise.all([radarr.stop(), sonarr.stop(), jellyseerr.stop(), qbit.stop()]);
    });

    /** A movie whose public torrent is stalled in qBittorrent and Radarr's queue. */
    async function stalledMovie() {
      await arrive('jellyseerr', v.approved);
      const grabbed = await arrive('radarr', v.grab);
      qbit.set({ hash: VIOLET.hash, progress: 0.2, state: 'stalledDL', private: false });
      radarr.queue.push(
        radarrQueueRecord(movie, VIOLET.hash, { size: 1000, sizeleft: 800, status: 'warning', errorMessage: 'The download is stalled with no connections' }),
      );
      return grabbed.request!.id;
    }

    it('retry of a stalled movie: exactly one queue removal with blocklist, then one MoviesSearch for that movie id; a double click does it once', async () => {
      const id = await stalledMovie();
      const act = actions();
      const [first, second] = await Promise.all([
        act.perform({ requestId: id, action: 'retry', reason: 'no seeds for a day' }, 'adept'),
        act.perform({ requestId: id, action: 'retry' }, 'adept'),
      ]);
      assert.equal(second, first, 'the double click gets the first one');
      clock += REPEAT_MS - 1;
      await act.perform({ requestId: id, action: 'retry' }, 'adept');
      assert.deepEqual(
        radarr.removals.map((r) => r.query),
        ['?removeFromClient=true&blocklist=true&skipRedownload=true'],
      );
      assert.deepEqual(radarr.commands, [{ name: 'MoviesSearch', movieIds: [VIOLET.radarrId] }]);
      assert.deepEqual(
        first.result.calls.map((c) => [c.method, c.path.replace(/\?.*/, ''), c.status]),
        [
          ['GET', '/api/v3/queue', 200],
          ['GET', '/api/v2/torrents/properties', 200],
          ['DELETE', `/api/v3/queue/${radarr.removals[0]?.id}`, 200],
          ['POST', '/api/v3/command', 201],
        ],
      );
      assert.equal(first.result.request?.attention?.kind, 'retry');
      assert.equal(first.result.request?.attention?.reason, 'retry requested by adept: no seeds for a day');
      const entry = await lastEntry(id);
      assert.equal(entry?.source, 'tracker');
      assert.match(entry?.detail ?? '', /^retry requested by adept \(no seeds for a day\): removed .* from Radarr's queue with blocklist; then MoviesSearch$/);

      // A minute later it may be done again; the new grab clears "retry requested".
      clock += 2;
      await act.perform({ requestId: id, action: 'retry' }, 'adept');
      assert.equal(radarr.commands.length, 2);
      const regrab = clone(v.grab);
      regrab.downloadId = 'D'.repeat(40);
      const moved = await arrive('radarr', regrab);
      assert.equal(moved.request?.attention, null);
      assert.equal(moved.request?.state, 'GRABBING');
    });

    it('an action that does not apply is a 400 with why, and no call is made', async () => {
      await arrive('radarr', v.grab);
      await arrive('radarr', v.imported);
      const done = await arrive('jellyfin', v.jellyfin);
      const id = done.request!.id;
      const act = actions();
      await assert.rejects(act.perform({ requestId: id, action: 'retry' }, 'adept'), (err: ActionError) => {
        assert.equal(err.statusCode, 400);
        assert.match(err.message, /is available: nothing to retry/);
        return true;
      });
      await assert.rejects(act.perform({ requestId: id, action: 'dismiss' }, 'adept'), /needs no attention/);
      await assert.rejects(act.perform({ requestId: 999, action: 'verify' }, 'adept'), (err: ActionError) => err.statusCode === 404);
      assert.throws(
        () => MediaActions.parse({ requestId: id, action: 'explode' }),
        /action: must be one of retry, search, verify, explain, mark-available, dismiss, keep, forget/,
      );
      assert.deepEqual(radarr.calls, []);
      // No arr configured for this media: 400, not a crash.
      const noArr = new MediaActions(store, { arrs: [] }, { track: DEFAULT_TRACK_OPTIONS });
      const pending = await arrive('jellyseerr', movieBodies({ ...VIOLET, requestId: 5, tmdb: 5, title: 'Other' }).approved);
      await assert.rejects(noArr.perform({ requestId: pending.request!.id, action: 'search' }, 'adept'), /no Radarr is configured for Other/);
    });

    it('retry of one failed episode inside a season pack keeps the others and searches that episode; a failed whole pack is removed and its season searched', async () => {
      await arrive('sonarr', s.grab());
      for (const e of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) await arrive('sonarr', s.importFile(e));
      const blocked = await arrive('sonarr', s.importFile(1));
      const id = blocked.request!.id;
      sonarr.queue.push(...sonarrQueueRecords(series, episodes, LYCORIS.hash, { trackedDownloadState: 'importBlocked', sizeleft: 0 }));
      qbit.set({ hash: LYCORIS.hash, progress: 1, state: 'stalledUP', private: false });
      const one = await actions().perform({ requestId: id, action: 'retry', episodes: [{ season: 1, episode: 13 }] }, 'kana');
      assert.equal(sonarr.removals.length, 1, 'only E13 still waits on the pack: it goes');
      assert.deepEqual(sonarr.commands, [{ name: 'EpisodeSearch', episodeIds: [LYCORIS.sonarrId * 1000 + 13] }]);
      assert.deepEqual(one.result.request?.attention?.kind, 'retry');

      // Another show: the whole pack failed before any import.
      const other = showBodies({ ...LYCORIS, requestId: 90, tvdb: 900, tmdb: 901, sonarrId: 24, title: 'Other Show', hash: 'E'.repeat(40), episodes: 3 });
      const grabbed = await arrive('sonarr', other.grab());
      const otherSeries = sonarrSeries({ id: 24, title: 'Other Show', year: 2022, tvdbId: 900, tmdbId: 901 });
      const otherEpisodes = sonarrEpisodes(24, 1, 3, '2022-01-01T00:00:00Z', 24001);
      sonarr.episodes.set(24, otherEpisodes);
      sonarr.queue.push(...sonarrQueueRecords(otherSeries, otherEpisodes, 'E'.repeat(40), { trackedDownloadState: 'failed' }));
      await actions().perform({ requestId: grabbed.request!.id, action: 'retry' }, 'kana');
      assert.equal(sonarr.removals.length, 2);
      assert.deepEqual(sonarr.commands.at(-1), { name: 'SeasonSearch', seriesId: 24, seasonNumber: 1 });
    });

    it('an episode of a pack others still download is only searched, never removed with them', async () => {
      const grabbed = await arrive('sonarr', s.grab());
      sonarr.queue.push(...sonarrQueueRecords(series, episodes, LYCORIS.hash));
      await actions().perform({ requestId: grabbed.request!.id, action: 'retry', episodes: [{ season: 1, episode: 2 }] }, 'kana');
      assert.deepEqual(sonarr.removals, []);
      assert.deepEqual(sonarr.commands, [{ name: 'EpisodeSearch', episodeIds: [LYCORIS.sonarrId * 1000 + 2] }]);
    });

    it('search for a missing episode asks for just that one, removing nothing', async () => {
      await arrive('sonarr', s.grab([1, 2]));
      const listed = await arrive('sonarr', s.grab([3], 'F'.repeat(40)));
      const id = listed.request!.id;
      const act = actions();
      await assert.rejects(
        act.perform({ requestId: id, action: 'search', episodes: [{ season: 1, episode: 1 }] }, 'kana'),
        /downloading or available: retry them instead/,
      );
      // E03's download failed in qBittorrent: nothing is downloading it any more.
      const failed = {
        source: 'qbittorrent' as const,
        at: new Date().toISOString(),
        kind: 'download-progress' as const,
        downloadId: 'F'.repeat(40),
        state: 'FAILED' as const,
        progress: 0.1,
        clientState: 'error',
      };
      await (await import('../../../lib/tracker/track')).track(store, failed);
      await act.perform({ requestId: id, action: 'search', episodes: [{ season: 1, episode: 3 }] }, 'kana');
      assert.deepEqual(sonarr.removals, []);
      assert.deepEqual(sonarr.commands, [{ name: 'EpisodeSearch', episodeIds: [LYCORIS.sonarrId * 1000 + 3] }]);
    });

    it("verify asks qBittorrent about the request's downloads and applies what it says", async () => {
      const id = await stalledMovie();
      qbit.set({ hash: VIOLET.hash, progress: 0.4, state: 'downloading', dlspeed: 1000, eta: 60 });
      const verified = await actions().perform({ requestId: id, action: 'verify' }, 'adept');
      assert.deepEqual(
        verified.result.calls.map((c) => c.service),
        ['qBittorrent'],
      );
      assert.equal(verified.result.request?.state, 'DOWNLOADING');
      assert.equal(verified.result.request?.downloads[0]?.progress, 0.4);
      assert.match((await lastEntry(id))?.detail ?? '', /^verified by adept: qBittorrent knows 1 of 1 downloads$/);
    });

    it("mark-available corrects the tracker on a person's word; dismiss clears the attention; both are recorded", async () => {
      const id = await stalledMovie();
      const act = actions();
      await arrive('radarr', fixture('radarr-manual-interaction-required'));
      const dismissed = await act.perform({ requestId: id, action: 'dismiss', reason: 'handled in Radarr' }, 'adept');
      assert.equal(dismissed.result.request?.attention, null);
      assert.match((await lastEntry(id))?.detail ?? '', /^attention dismissed by adept \(handled in Radarr\): Radarr needs manual interaction/);
      const marked = await act.perform({ requestId: id, action: 'mark-available', reason: 'watched it already' }, 'adept');
      assert.equal(marked.result.request?.state, 'AVAILABLE');
      assert.equal(marked.news.length, 1, 'a state change worth a notification');
      assert.match((await lastEntry(id))?.detail ?? '', /^marked available \(manual\) by adept \(watched it already\)$/);
      assert.deepEqual(writeCalls(radarr), [], 'a correction asks no service');
    });

    it('forget needs confirm: true, then removes the request from the tracker only', async () => {
      const id = await stalledMovie();
      const act = actions();
      await assert.rejects(act.perform({ requestId: id, action: 'forget' }, 'adept'), /send confirm: true/);
      assert.ok(await store.read.getRequest(id));
      const forgotten = await act.perform({ requestId: id, action: 'forget', confirm: true }, 'adept');
      assert.deepEqual([forgotten.result.ok, forgotten.result.request], [true, null]);
      assert.equal(await store.read.getRequest(id), undefined);
      assert.deepEqual(writeCalls(radarr), []);
    });

    it('a service answering 401 or 500: a 502 in its words, and nothing recorded as done', async () => {
      const id = await stalledMovie();
      const before = await store.read.timeline(id);
      radarr.failNext = { status: 500, body: { message: 'Database is locked' } };
      await assert.rejects(actions().perform({ requestId: id, action: 'retry' }, 'adept'), (err: ActionError) => {
        assert.equal(err.statusCode, 502);
        assert.match(err.message, /Radarr \/api\/v3\/queue: answered 500 \(Database is locked\)/);
        return true;
      });
      const wrongKey = new MediaActions(
        store,
        { arrs: [{ instance: { name: 'radarr', kind: 'radarr', is4k: false }, client: new ArrClient('radarr', { url: radarr.url, apiKey: 'nope' }) }] },
        { track: DEFAULT_TRACK_OPTIONS },
      );
      await assert.rejects(wrongKey.perform({ requestId: id, action: 'retry' }, 'adept'), /unauthorised \(401\)/);
      assert.deepEqual(await store.read.timeline(id), before);
      assert.equal((await store.read.getRequest(id))?.attention, null);
    });

    it('search on an approved movie nothing grabbed: its Radarr id looked up by TMDB id (kept), then MoviesSearch; one Radarr lacks is a 400 saying so', async () => {
      const approved = await arrive('jellyseerr', v.approved);
      const id = approved.request!.id;
      radarr.movies.push({ ...movie, monitored: true, hasFile: false });
      const act = actions();
      const done = await act.perform({ requestId: id, action: 'search' }, 'adept');
      assert.deepEqual(radarr.commands, [{ name: 'MoviesSearch', movieIds: [VIOLET.radarrId] }]);
      assert.deepEqual(
        done.result.calls.map((c) => `${c.method} ${c.path}`),
        [`GET /api/v3/movie?tmdbId=${VIOLET.tmdb}`, 'POST /api/v3/command'],
      );
      clock += REPEAT_MS;
      await act.perform({ requestId: id, action: 'search' }, 'adept');
      assert.equal(radarr.calls.filter((c) => c.startsWith('GET /api/v3/movie')).length, 1, 'the id is kept');

      const other = await arrive('jellyseerr', movieBodies({ ...VIOLET, requestId: 70, tmdb: 70, title: 'Unknown To Radarr' }).approved);
      await assert.rejects(act.perform({ requestId: other.request!.id, action: 'search' }, 'adept'), /radarr has no movie for Unknown To Radarr \(TMDB 70\)/);
    });

    it('retry of a private torrent (or one whose privacy qBittorrent cannot tell): removed from the queue only, kept in qBittorrent, a person decides', async () => {
      const id = await stalledMovie();
      qbit.set({ hash: VIOLET.hash, progress: 0.2, state: 'stalledDL', private: true });
      const done = await actions().perform({ requestId: id, action: 'retry' }, 'adept');
      assert.deepEqual(
        radarr.removals.map((r) => r.query),
        ['?removeFromClient=false&blocklist=true&skipRedownload=true'],
      );
      assert.deepEqual(qbit.deleted, []);
      assert.equal(done.result.request?.attention?.kind, 'private-torrent');
      assert.match(done.result.request?.attention?.reason ?? '', /^private torrent: a person decides/);
      assert.deepEqual(done.result.request?.waiting?.code, 'private-torrent');
      assert.deepEqual(done.result.request?.waiting?.next, { action: 'open-client', text: 'remove it in qBittorrent once its seeding is done' });
      assert.match((await lastEntry(id))?.detail ?? '', /kept in qBittorrent \(a private torrent, or its privacy unknown\); then MoviesSearch$/);
    });
  });

for (const mode of STORE_MODES)
  describe(`deletion sync (store: ${mode.name})`, () => {
    const dir = tempDir('mst-deletion-');
    let n = 0;
    let store: StatusStore;
    let radarr: FakeArr;
    let jellyseerr: FakeJellyseerr;
    let qbit: FakeQbittorrent;
    let jellyfin: FakeJellyfin;
    let clock: number;
    /** A webhook arriving at the test clock's time, so timelines read in the order the test plays them. */
    const arrive = (source: WebhookSource, body: Body) => hook(store, source, body, DEFAULT_TRACK_OPTIONS, new Date(clock));
    const HOUR = 3_600_000;
    const v = movieBodies(VIOLET);
    const movie = radarrMovie({ id: VIOLET.radarrId, title: VIOLET.title, year: VIOLET.year, tmdbId: VIOLET.tmdb });

    beforeEach(async () => {
      clock = Date.parse('2026-02-01T10:00:00.000Z');
      [radarr, jellyseerr] = await Promise.all([new FakeArr('radarr').start(), new FakeJellyseerr().start()]);
      qbit = new FakeQbittorrent();
      jellyfin = new FakeJellyfin();
      await Promise.all([qbit.start(), jellyfin.start()]);
      store = await StatusStore.open(join(dir, `d${++n}.db`), { writeBehind: mode.writeBehind });
    });
    afterEach(async () => {
      await store.close();
      await Promise.all([radarr.stop(), jellyseerr.stop(), qbit.stop(), jellyfin.stop()]);
    });

    const deletion = (options: Partial<DeletionOptions> = {}, withJellyfin = true) =>
      new DeletionSync(
        store,
        {
          arrs: [{ instance: { name: 'radarr', kind: 'radarr', is4k: false }, client: new ArrClient('radarr', { url: radarr.url, apiKey: 'radarr-key' }) }],
          jellyseerr: new JellyseerrClient({ url: jellyseerr.url, apiKey: 'jellyseerr-key' }),
          qbittorrent: new QbitClient({ url: qbit.url, username: 'admin', password: 'adminadmin' }),
          ...(withJellyfin ? { jellyfin: new JellyfinClient({ url: jellyfin.url, apiKey: 'jf-key' }) } : {}),
        },
        { clearJellyseerr: true, removeTorrents: true, deleteFiles: false, graceMs: 24 * HOUR, dryRun: false, ...options },
        DEFAULT_TRACK_OPTIONS,
        () => clock,
      );
    const writes = () => ({ radarr: radarr.calls.filter((c) => !c.startsWith('GET ')), jellyseerr: jellyseerr.deletedMedia, qbit: qbit.deleted });
    const nothingDeleted = { radarr: [], jellyseerr: [], qbit: [] };

    /** A movie imported from a complete public torrent, then deleted in Radarr (gone there too). */
    async function removedMovie(body = fixture('radarr-movie-delete')) {
      jellyseerr.addRequest({ id: VIOLET.requestId, type: 'movie', tmdbId: VIOLET.tmdb, status: 5, mediaStatus: 5, arrId: VIOLET.radarrId });
      qbit.set({ hash: VIOLET.hash, progress: 1, state: 'stalledUP', private: false });
      await arrive('jellyseerr', v.approved);
      await arrive('radarr', v.grab);
      await arrive('radarr', v.imported);
      const removed = await arrive('radarr', body);
      return removed.request!;
    }

    it('a removal is planned, shown on the request (what, where, when), and passed on only after the grace period, verified with Radarr and Jellyfin', async () => {
      const sync = deletion();
      const { id, removedAt } = await removedMovie();
      assert.ok(removedAt);
      await sync.plan(id);
      const planned = (await store.read.getRequest(id))!;
      assert.deepEqual(planned.deletion, {
        removedAt,
        dueAt: new Date(clock + 24 * HOUR).toISOString(),
        plan: ['Jellyseerr: forget the media, so it can be requested again', 'qBittorrent: remove 1 torrent (files kept)'],
        dryRun: false,
      });
      assert.match(
        (await store.read.timeline(id)).at(-1)?.detail ?? '',
        /^deletion planned by auto: due 2026-02-02T10:00:00.000Z unless kept: Jellyseerr: forget/,
      );
      await sync.plan(id);
      assert.equal((await store.read.timeline(id)).filter((e) => e.detail.startsWith('deletion planned')).length, 1, 'planned once');
      clock += 23 * HOUR;
      assert.deepEqual((await sync.due()).outcomes, [], 'not due yet');
      assert.deepEqual(writes(), nothingDeleted);
      clock += HOUR;
      const { outcomes } = await sync.due();
      assert.equal(outcomes[0]?.result.action, 'deletion-sync');
      assert.deepEqual(writes(), { radarr: [], jellyseerr: [VIOLET.requestId + 500], qbit: [{ hashes: [VIOLET.hash.toLowerCase()], deleteFiles: false }] });
      assert.ok(
        radarr.calls.some((c) => c.startsWith(`GET /api/v3/movie?tmdbId=${VIOLET.tmdb}`)),
        'Radarr was asked',
      );
      assert.ok(jellyfin.requests.length > 0, 'Jellyfin was asked');
      assert.equal((await store.read.getRequest(id))?.deletion, null);
      assert.match(
        outcomes[0]?.result.detail ?? '',
        /^forget the media in Jellyseerr; remove 1 torrent from qBittorrent \(files kept\) \(Radarr no longer has it, Jellyfin no longer has it\)$/,
      );
      assert.deepEqual((await sync.due()).outcomes, [], 'once per removal');
      await sync.plan(id);
      assert.equal((await store.read.getRequest(id))?.deletion, null, 'not planned again');
    });

    it('a dry run (the default for a new node) says what it would delete, and deletes nothing', async () => {
      const sync = deletion({ dryRun: true });
      const { id } = await removedMovie();
      await sync.plan(id);
      assert.equal((await store.read.getRequest(id))?.deletion?.dryRun, true);
      clock += 25 * HOUR;
      const { outcomes } = await sync.due();
      assert.equal(outcomes[0]?.result.action, 'deletion-dry-run');
      assert.match(outcomes[0]?.result.detail ?? '', /^nothing deleted; it would forget the media in Jellyseerr and remove 1 torrent from qBittorrent/);
      assert.deepEqual(writes(), nothingDeleted);
    });

    it('the source of truth still has the media (a forged or mistaken deletion): nothing is deleted and the removal is undone', async () => {
      const sync = deletion();
      const { id } = await removedMovie();
      await sync.plan(id);
      radarr.movies.push({ ...movie, monitored: true, hasFile: true, movieFileId: 9 });
      clock += 25 * HOUR;
      const { outcomes } = await sync.due();
      assert.equal(outcomes[0]?.result.action, 'deletion-cancelled');
      assert.match(outcomes[0]?.result.detail ?? '', /^nothing deleted: Radarr still has it \(monitored, with its file\)$/);
      assert.deepEqual(writes(), nothingDeleted);
      const after = (await store.read.getRequest(id))!;
      assert.deepEqual([after.removedAt, after.deletion, after.state], [null, null, 'IMPORTING']);
    });

    it('Jellyfin still plays it: nothing is deleted', async () => {
      const sync = deletion();
      const { id } = await removedMovie();
      await sync.plan(id);
      jellyfin.add({
        Id: 'a'.repeat(32),
        Name: VIOLET.title,
        Type: 'Movie',
        ProductionYear: VIOLET.year,
        ProviderIds: { Tmdb: String(VIOLET.tmdb) },
        Path: '/movies/v.mkv',
      });
      clock += 25 * HOUR;
      const { outcomes } = await sync.due();
      assert.match(outcomes[0]?.result.detail ?? '', /Jellyfin still plays it/);
      assert.deepEqual(writes(), nothingDeleted);
    });

    it('nothing to verify with (no arr, no Jellyfin): nothing is deleted', async () => {
      const sync = new DeletionSync(
        store,
        { arrs: [], jellyseerr: new JellyseerrClient({ url: jellyseerr.url, apiKey: 'jellyseerr-key' }) },
        { clearJellyseerr: true, removeTorrents: false, deleteFiles: false, graceMs: HOUR, dryRun: false },
        DEFAULT_TRACK_OPTIONS,
        () => clock,
      );
      const { id } = await removedMovie();
      await sync.plan(id);
      clock += 2 * HOUR;
      const { outcomes } = await sync.due();
      assert.match(outcomes[0]?.result.detail ?? '', /nothing to verify the removal with/);
      assert.deepEqual(writes(), nothingDeleted);
    });

    it('keep cancels a waiting deletion; a new grab cancels it too', async () => {
      const sync = deletion();
      const { id } = await removedMovie();
      await sync.plan(id);
      const act = new MediaActions(store, { arrs: [] }, { track: DEFAULT_TRACK_OPTIONS, now: () => clock });
      const kept = await act.perform({ requestId: id, action: 'keep', reason: 'I still watch it' }, 'kana');
      assert.equal(kept.result.request?.deletion, null);
      clock += REPEAT_MS;
      await assert.rejects(act.perform({ requestId: id, action: 'keep' }, 'kana'), /nothing of .* waits to be deleted/);
      clock += 25 * HOUR;
      assert.deepEqual((await sync.due()).outcomes, []);
      assert.deepEqual(writes(), nothingDeleted);

      // Another removal, then a new grab: the media is wanted again.
      const other = movieBodies({ ...VIOLET, requestId: 8, tmdb: 8, radarrId: 88, title: 'Regrabbed', hash: 'D'.repeat(40) });
      await arrive('radarr', other.grab);
      await arrive('radarr', other.imported);
      const deleted = fixture('radarr-movie-delete');
      deleted.movie = other.grab.movie;
      const removed = await arrive('radarr', deleted);
      await sync.plan(removed.request!.id);
      assert.ok((await store.read.getRequest(removed.request!.id))?.deletion);
      const regrab = structuredClone(other.grab);
      regrab.downloadId = 'E'.repeat(40);
      await arrive('radarr', regrab);
      assert.equal((await store.read.getRequest(removed.request!.id))?.deletion, null);
    });

    it("never a torrent that is not complete and imported, another request's, or a private one; missing from disk is no removal", async () => {
      // A file missing from disk (a share unmounted) is no removal at all.
      const missing = fixture('radarr-movie-file-delete');
      missing.deleteReason = 'MissingFromDisk';
      const sync = deletion();
      await arrive('jellyseerr', v.approved);
      await arrive('radarr', v.grab);
      await arrive('radarr', v.imported);
      missing.movie = v.grab.movie;
      const after = await arrive('radarr', missing);
      assert.equal(after.request?.removedAt, null);

      // Removed while its torrent still downloads: the torrent stays.
      const { id } = await removedMovieStillDownloading();
      await sync.plan(id);
      assert.deepEqual((await store.read.getRequest(id))?.deletion?.plan, ['qBittorrent: keep 1 torrent not complete and imported']);
      clock += 25 * HOUR;
      const { outcomes } = await sync.due();
      assert.match(outcomes[0]?.result.detail ?? '', /1 torrent kept: not complete and imported/);
      assert.deepEqual(qbit.deleted, []);
    });

    async function removedMovieStillDownloading() {
      const other = movieBodies({ ...VIOLET, requestId: 9, tmdb: 9, radarrId: 99, title: 'Half', hash: 'F'.repeat(40) });
      qbit.set({ hash: other.grab.downloadId, progress: 0.5, state: 'downloading', private: false });
      await arrive('radarr', other.grab);
      const deleted = fixture('radarr-movie-delete');
      deleted.movie = other.grab.movie;
      return (await arrive('radarr', deleted)).request!;
    }

    it('a private torrent, or one whose privacy is unknown, is kept', async () => {
      const sync = deletion();
      const { id } = await removedMovie();
      qbit.set({ hash: VIOLET.hash, progress: 1, state: 'stalledUP', private: true });
      await sync.plan(id);
      clock += 25 * HOUR;
      const { outcomes } = await sync.due();
      assert.match(outcomes[0]?.result.detail ?? '', /1 torrent kept: private, a person decides/);
      assert.deepEqual(qbit.deleted, []);
      assert.deepEqual(jellyseerr.deletedMedia, [VIOLET.requestId + 500], 'the rest goes on');
    });
  });

for (const mode of STORE_MODES)
  describe(`automatic retry on strikes (store: ${mode.name})`, () => {
    const dir = tempDir('mst-auto-retry-');
    let n = 0;
    let store: StatusStore;
    let radarr: FakeArr;
    let qbit: FakeQbittorrent;
    let clock: number;
    /** A webhook arriving at the test clock's time, so timelines read in the order the test plays them. */
    const arrive = (source: WebhookSource, body: Body) => hook(store, source, body, DEFAULT_TRACK_OPTIONS, new Date(clock));
    const movie = radarrMovie({ id: VIOLET.radarrId, title: VIOLET.title, year: VIOLET.year, tmdbId: VIOLET.tmdb });

    beforeEach(async () => {
      clock = Date.parse('2026-02-01T10:00:00.000Z');
      radarr = await new FakeArr('radarr').start();
      qbit = new FakeQbittorrent();
      await qbit.start();
      store = await StatusStore.open(join(dir, `r${++n}.db`), { writeBehind: mode.writeBehind });
    });
    afterEach(async () => {
      await store.close();
      await Promise.all([radarr.stop(), qbit.stop()]);
    });

    const autoRetry = (options: Partial<AutoRetryOptions> = {}) => {
      const services: ActionServices = {
        arrs: [{ instance: { name: 'radarr', kind: 'radarr', is4k: false }, client: new ArrClient('radarr', { url: radarr.url, apiKey: 'radarr-key' }) }],
        qbittorrent: new QbitClient({ url: qbit.url, username: 'admin', password: 'adminadmin' }),
      };
      const actions = new MediaActions(store, services, { track: DEFAULT_TRACK_OPTIONS, now: () => clock });
      return new AutoRetry(store, actions, services, { ...DEFAULT_AUTO_RETRY, dryRun: false, ...options }, DEFAULT_TRACK_OPTIONS, () => clock);
    };
    async function stalled(
      spec = VIOLET,
      torrent: { progress: number; state: string; private?: boolean } = { progress: 0.2, state: 'stalledDL', private: false },
    ) {
      const bodies = movieBodies(spec);
      const grabbed = await arrive('radarr', bodies.grab);
      qbit.set({ hash: spec.hash, ...torrent });
      radarr.queue.push(radarrQueueRecord(radarrMovie({ id: spec.radarrId, title: spec.title, year: spec.year, tmdbId: spec.tmdb }), spec.hash));
      return grabbed.request!.id;
    }
    const strikesOf = async (id: number) => (await store.read.getRequest(id))!.downloads.map((d) => d.strikes);

    it('a stalled download is retried at the third strike in a row; the strikes show on the download; progress resets them', async () => {
      const id = await stalled();
      const retry = autoRetry();
      await retry.check();
      await retry.check();
      assert.deepEqual(await strikesOf(id), [2]);
      assert.equal(radarr.removals.length, 0);
      // It moved: back to no strikes.
      qbit.set({ hash: VIOLET.hash, progress: 0.3, state: 'stalledDL', private: false });
      await retry.check();
      assert.deepEqual(await strikesOf(id), [0]);
      for (let i = 0; i < 2; i++) await retry.check();
      assert.equal(radarr.removals.length, 0);
      const { outcomes, errors } = await retry.check();
      assert.deepEqual(errors, []);
      assert.equal(outcomes.length, 1);
      assert.deepEqual(
        radarr.removals.map((r) => r.query),
        ['?removeFromClient=true&blocklist=true&skipRedownload=true'],
      );
      assert.deepEqual(radarr.commands, [{ name: 'MoviesSearch', movieIds: [VIOLET.radarrId] }]);
      assert.match(outcomes[0]?.result.request?.attention?.reason ?? '', /^retry requested by auto: auto: 3 checks in a row without progress \(stalledDL\)$/);
      void movie;
    });

    it('a healthy download never gets a strike; a dry run says what it would retry, once, and retries nothing', async () => {
      const healthy = await stalled(VIOLET, { progress: 0.2, state: 'downloading', private: false });
      const other = { ...VIOLET, requestId: 5, tmdb: 5, radarrId: 55, title: 'Dry', hash: 'B'.repeat(40) };
      const dry = await stalled(other);
      const retry = autoRetry({ dryRun: true });
      for (let i = 0; i < 5; i++) await retry.check();
      assert.deepEqual(await strikesOf(healthy), [0]);
      assert.deepEqual(await strikesOf(dry), [3]);
      assert.deepEqual([radarr.removals, radarr.commands], [[], []]);
      const said = (await store.read.timeline(dry)).filter((e) => e.detail.startsWith('would be retried (dry run)'));
      assert.equal(said.length, 1);
      assert.match(said[0]!.detail, /nothing done: it would retry/);
    });

    it('a private torrent is retried in the arr only, kept in qBittorrent; the daily cap and a dismiss stop it', async () => {
      const id = await stalled(VIOLET, { progress: 0.2, state: 'metaDL', private: true });
      const retry = autoRetry({ dailyCap: 1 });
      for (let i = 0; i < 3; i++) await retry.check();
      assert.deepEqual(
        radarr.removals.map((r) => r.query),
        ['?removeFromClient=false&blocklist=true&skipRedownload=true'],
      );
      assert.deepEqual(qbit.deleted, []);
      assert.equal((await store.read.getRequest(id))?.attention?.kind, 'private-torrent');

      // The household's cap for the day is spent: another stalled download waits for tomorrow.
      const other = { ...VIOLET, requestId: 6, tmdb: 6, radarrId: 66, title: 'Tomorrow', hash: 'C'.repeat(40) };
      const otherId = await stalled(other);
      for (let i = 0; i < 4; i++) await retry.check();
      assert.equal(radarr.removals.length, 1);
      const act = new MediaActions(store, { arrs: [] }, { track: DEFAULT_TRACK_OPTIONS, now: () => clock });
      const record = (await store.read.getRequest(otherId))!;
      await store.write(async (tx) =>
        tx.update(record, { ...record, attention: { kind: 'stuck', reason: 'no progress', since: record.progressAt } }, null, []),
      );
      await act.perform({ requestId: otherId, action: 'dismiss', reason: 'leave it' }, 'adept');
      clock += 86_400_000;
      await retry.check();
      assert.equal(radarr.removals.length, 1, 'never once a person dismissed it');
    });
  });
