import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ActionError, MediaActions, REPEAT_MS, type ActionOptions } from '../../lib/actions/actions';
import { ArrClient } from '../../lib/clients/arr';
import { JellyseerrClient } from '../../lib/clients/jellyseerr';
import { QbitClient } from '../../lib/clients/qbittorrent';
import { StatusStore } from '../../lib/store/store';
import { DEFAULT_TRACK_OPTIONS } from '../../lib/tracker/track';
import { checkStuck, DEFAULT_STUCK_MINUTES } from '../../lib/tracker/stuck';
import { FakeArr, FakeJellyseerr, radarrMovie, radarrQueueRecord, sonarrEpisodes, sonarrQueueRecords, sonarrSeries } from '../fakes/arr-apis';
import { FakeQbittorrent } from '../fakes/qbittorrent';
import { LYCORIS, VIOLET, movieBodies, showBodies } from '../support/bodies';
import { clone, fixture } from '../support/fixtures';
import { hook } from '../support/store';
import { tempDir } from '../support/tmp';

/** media-action's work against servers speaking the arr, Jellyseerr and qBittorrent APIs, which record what they were asked. */

describe('actions on a request', () => {
  const dir = tempDir('mst-actions-');
  let n = 0;
  let store: StatusStore;
  let radarr: FakeArr;
  let sonarr: FakeArr;
  let seerr: FakeJellyseerr;
  let qbit: FakeQbittorrent;
  let clock: number;
  const v = movieBodies(VIOLET);
  const s = showBodies(LYCORIS);
  const movie = radarrMovie({ id: VIOLET.radarrId, title: VIOLET.title, year: VIOLET.year, tmdbId: VIOLET.tmdb });
  const series = sonarrSeries({ id: LYCORIS.sonarrId, title: LYCORIS.title, year: LYCORIS.year, tvdbId: LYCORIS.tvdb, tmdbId: LYCORIS.tmdb });
  const episodes = sonarrEpisodes(LYCORIS.sonarrId, 1, 13, '2022-07-02T15:00:00Z', LYCORIS.sonarrId * 1000 + 1);

  const actions = (options: Partial<ActionOptions> = {}) =>
    new MediaActions(
      store,
      {
        arrs: [
          { instance: { name: 'radarr', kind: 'radarr', is4k: false }, client: new ArrClient('radarr', { url: radarr.url, apiKey: 'radarr-key' }) },
          { instance: { name: 'sonarr', kind: 'sonarr', is4k: false }, client: new ArrClient('sonarr', { url: sonarr.url, apiKey: 'sonarr-key' }) },
        ],
        jellyseerr: new JellyseerrClient({ url: seerr.url, apiKey: 'seerr-key' }),
        qbittorrent: new QbitClient({ url: qbit.url, username: 'admin', password: 'adminadmin' }),
      },
      { track: DEFAULT_TRACK_OPTIONS, now: () => clock, ...options },
    );
  const writeCalls = (arr: FakeArr) => arr.calls.filter((c) => !c.startsWith('GET '));
  const lastEntry = async (id: number) => (await store.read.timeline(id)).at(-1);

  beforeEach(async () => {
    clock = Date.parse('2026-02-01T10:00:00.000Z');
    [radarr, sonarr, seerr] = await Promise.all([new FakeArr('radarr').start(), new FakeArr('sonarr').start(), new FakeJellyseerr().start()]);
    qbit = new FakeQbittorrent();
    await qbit.start();
    sonarr.episodes.set(LYCORIS.sonarrId, episodes);
    store = await StatusStore.open(join(dir, `a${++n}.db`));
  });
  afterEach(async () => {
    await store.close();
    await Promise.all([radarr.stop(), sonarr.stop(), seerr.stop(), qbit.stop()]);
  });

  async function stalledMovie() {
    await hook(store, 'jellyseerr', v.approved);
    const grabbed = await hook(store, 'radarr', v.grab);
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
    const moved = await hook(store, 'radarr', regrab);
    assert.equal(moved.request?.attention, null);
    assert.equal(moved.request?.state, 'GRABBING');
  });

  it('an action that does not apply is a 400 with why, and no call is made', async () => {
    await hook(store, 'radarr', v.grab);
    await hook(store, 'radarr', v.imported);
    const done = await hook(store, 'jellyfin', v.jellyfin);
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
      /action: must be one of retry, search, verify, mark-available, dismiss, forget/,
    );
    assert.deepEqual(radarr.calls, []);
    // No arr configured for this media: 400, not a crash.
    const noArr = new MediaActions(store, { arrs: [] }, { track: DEFAULT_TRACK_OPTIONS });
    const pending = await hook(store, 'jellyseerr', movieBodies({ ...VIOLET, requestId: 5, tmdb: 5, title: 'Other' }).approved);
    await assert.rejects(noArr.perform({ requestId: pending.request!.id, action: 'search' }, 'adept'), /no Radarr is configured for Other/);
  });

  it('retry of one failed episode inside a season pack keeps the others and searches that episode; a failed whole pack is removed and its season searched', async () => {
    await hook(store, 'sonarr', s.grab());
    for (const e of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) await hook(store, 'sonarr', s.importFile(e));
    const blocked = await hook(store, 'sonarr', s.importFile(1));
    const id = blocked.request!.id;
    sonarr.queue.push(...sonarrQueueRecords(series, episodes, LYCORIS.hash, { trackedDownloadState: 'importBlocked', sizeleft: 0 }));
    const one = await actions().perform({ requestId: id, action: 'retry', episodes: [{ season: 1, episode: 13 }] }, 'kana');
    assert.equal(sonarr.removals.length, 1, 'only E13 still waits on the pack: it goes');
    assert.deepEqual(sonarr.commands, [{ name: 'EpisodeSearch', episodeIds: [LYCORIS.sonarrId * 1000 + 13] }]);
    assert.deepEqual(one.result.request?.attention?.kind, 'retry');

    // Another show: the whole pack failed before any import.
    const other = showBodies({ ...LYCORIS, requestId: 90, tvdb: 900, tmdb: 901, sonarrId: 24, title: 'Other Show', hash: 'E'.repeat(40), episodes: 3 });
    const grabbed = await hook(store, 'sonarr', other.grab());
    const otherSeries = sonarrSeries({ id: 24, title: 'Other Show', year: 2022, tvdbId: 900, tmdbId: 901 });
    const otherEpisodes = sonarrEpisodes(24, 1, 3, '2022-01-01T00:00:00Z', 24001);
    sonarr.episodes.set(24, otherEpisodes);
    sonarr.queue.push(...sonarrQueueRecords(otherSeries, otherEpisodes, 'E'.repeat(40), { trackedDownloadState: 'failed' }));
    await actions().perform({ requestId: grabbed.request!.id, action: 'retry' }, 'kana');
    assert.equal(sonarr.removals.length, 2);
    assert.deepEqual(sonarr.commands.at(-1), { name: 'SeasonSearch', seriesId: 24, seasonNumber: 1 });
  });

  it('an episode of a pack others still download is only searched, never removed with them', async () => {
    const grabbed = await hook(store, 'sonarr', s.grab());
    sonarr.queue.push(...sonarrQueueRecords(series, episodes, LYCORIS.hash));
    await actions().perform({ requestId: grabbed.request!.id, action: 'retry', episodes: [{ season: 1, episode: 2 }] }, 'kana');
    assert.deepEqual(sonarr.removals, []);
    assert.deepEqual(sonarr.commands, [{ name: 'EpisodeSearch', episodeIds: [LYCORIS.sonarrId * 1000 + 2] }]);
  });

  it('search for a missing episode asks for just that one, removing nothing', async () => {
    await hook(store, 'sonarr', s.grab([1, 2]));
    const listed = await hook(store, 'sonarr', s.grab([3], 'F'.repeat(40)));
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
    await (await import('../../lib/tracker/track')).track(store, failed);
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
    await hook(store, 'radarr', fixture('radarr-manual-interaction-required'));
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

  it('deletion sync (opt-in) clears the media in Jellyseerr and removes the torrent keeping its files, once per removal', async () => {
    seerr.addRequest({ id: VIOLET.requestId, type: 'movie', tmdbId: VIOLET.tmdb, status: 5, mediaStatus: 5, arrId: VIOLET.radarrId });
    await hook(store, 'jellyseerr', v.approved);
    await hook(store, 'radarr', v.grab);
    const removed = await hook(store, 'radarr', fixture('radarr-movie-delete'));
    const id = removed.request!.id;
    assert.ok(removed.request?.removedAt);
    assert.equal(await actions().passOnDeletion(id), undefined, 'off by default');
    const act = actions({ clearJellyseerr: true, removeTorrents: true });
    const passed = await act.passOnDeletion(id);
    assert.ok(passed);
    assert.deepEqual(seerr.deletedMedia, [VIOLET.requestId + 500]);
    assert.deepEqual(qbit.deleted, [{ hashes: [VIOLET.hash.toLowerCase()], deleteFiles: false }]);
    assert.match((await lastEntry(id))?.detail ?? '', /^deletion passed on by auto: cleared in Jellyseerr; its torrent removed from qBittorrent, files kept$/);
    assert.equal(await act.passOnDeletion(id), undefined, 'once per removal');
    assert.equal(qbit.deleted.length, 1);
    assert.deepEqual(writeCalls(radarr), [], 'nothing is deleted in Radarr');
  });

  it('automatic retry (opt-in): a stuck download is retried at most N times, never after a dismiss', async () => {
    const id = await stalledMovie();
    const stuckAt = new Date(Date.parse((await store.read.getRequest(id))!.progressAt) + 7 * 3600_000);
    await checkStuck(store, stuckAt, DEFAULT_STUCK_MINUTES);
    assert.equal((await store.read.getRequest(id))?.attention?.kind, 'stuck');
    const act = actions({ autoRetries: 2 });
    assert.equal((await actions().autoRetry()).length, 0, 'off unless asked for');
    const first = await act.autoRetry();
    assert.equal(first.length, 1);
    assert.match(first[0]?.result.request?.attention?.reason ?? '', /^retry requested by auto: auto: /);
    assert.equal(radarr.commands.length, 1);
    // Still stuck (no new grab came): flagged again, retried again, then no more.
    for (let i = 0; i < 3; i++) {
      const record = (await store.read.getRequest(id))!;
      await store.write(async (tx) =>
        tx.update(record, { ...record, attention: { kind: 'stuck', reason: 'no progress for 6 h', since: record.progressAt } }, null, []),
      );
      await act.autoRetry();
    }
    assert.equal(radarr.commands.length, 2, 'at most 2 per download');

    // Another stuck movie that a person dismissed is never retried automatically.
    const other = movieBodies({ ...VIOLET, requestId: 7, tmdb: 7, title: 'Dismissed', radarrId: 77, hash: 'B'.repeat(40) });
    const grabbed = await hook(store, 'radarr', other.grab);
    const flag = async () => {
      const record = (await store.read.getRequest(grabbed.request!.id))!;
      await store.write(async (tx) =>
        tx.update(record, { ...record, attention: { kind: 'stuck', reason: 'no progress', since: record.progressAt } }, null, []),
      );
    };
    await flag();
    await act.perform({ requestId: grabbed.request!.id, action: 'dismiss', reason: 'leave it' }, 'adept');
    await flag();
    await act.autoRetry();
    assert.equal(radarr.commands.length, 2);
  });
});
