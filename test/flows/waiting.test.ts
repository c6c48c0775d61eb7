import assert from 'node:assert/strict';
import { join } from 'node:path';
import { arrRelease, FakeArr, radarrMovie, sonarrEpisodes, sonarrSeries } from '../fakes/arr-apis';
import { FakeQbittorrent } from '../fakes/qbittorrent';
import { INTERSTELLAR, LYCORIS, VIOLET, movieBodies, showBodies } from '../support/bodies';
import { clone, fixture } from '../support/fixtures';
import { getJson, postApi, postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { eventually } from '../support/eventually';
import { exampleEnvOf } from '../fakes/fake-server';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Why each request waits, through the example flow in a real Node-RED: Jellyseerr's webhooks, the
 * sync's reading of Radarr's and Sonarr's records, qBittorrent's polls and an explain, each answered
 * as the services answer (service-apis.md), and the reason every snapshot then carries.
 */

const dir = tempDir('mst-waiting-flow-');
const DAY = 86_400_000;

/** A film of its own (its own ids, request and download), on Interstellar's webhooks. */
const film = (n: number, title: string) =>
  movieBodies({ ...INTERSTELLAR, title, tmdb: 4000 + n, requestId: 400 + n, radarrId: 600 + n, hash: n.toString(16).toUpperCase().padStart(40, 'A') });
const radarrRecord = (n: number, title: string, changes: Record<string, unknown> = {}) => ({
  ...radarrMovie({ id: 600 + n, title, year: 2014, tmdbId: 4000 + n }),
  ...changes,
});

describe('the example flow: why each request waits', () => {
  let radarr: FakeArr;
  let sonarr: FakeArr;
  let qbit: FakeQbittorrent;
  let red: RunningNodeRed;
  const sync = () => postApi(red.url, '/media-status/api/sync');
  const act = (id: number, action: string, body: unknown = {}) => postApi(red.url, `/media-status/api/requests/${id}/actions/${action}`, body);
  const one = async (id: number): Promise<any> => (await getJson(red.url, `/media-status/api/requests/${id}`)).body;

  const until = (id: number, check: (r: any) => boolean): Promise<any> =>
    eventually(`request ${id}`, async () => {
      const r = await one(id);
      return check(r) && r;
    });

  before(async () => {
    radarr = await new FakeArr('radarr').start();
    sonarr = await new FakeArr('sonarr').start();
    qbit = new FakeQbittorrent({ username: 'tracker', password: 'torrent-pass' });
    await qbit.start();
    red = await startNodeRed(join(dir, 'node-red'), {
      STATUS_DB: join(dir, 'waiting.db'),
      ...exampleEnvOf(radarr, sonarr, qbit),
      QBIT_POLL_SECONDS: '1',
      SYNC_MINUTES: '600',
    });
  });
  after(async () => {
    await red?.stop();
    await Promise.all([radarr?.stop(), sonarr?.stop(), qbit?.stop()]);
  });

  it("before a grab: pending approval, declined, and from Radarr's record not in Radarr, not monitored, not released, no release found; explain quotes the rejections", async () => {
    const pending = await postHook(red.url, 'jellyseerr', film(1, 'Pending Film').pending);
    const declinedBody = clone(film(2, 'Declined Film').pending);
    Object.assign(declinedBody, { notification_type: 'MEDIA_DECLINED', event: 'Movie Request Declined' });
    const declined = await postHook(red.url, 'jellyseerr', declinedBody);
    const ids: Record<string, number> = {};
    for (const [n, title] of [
      [3, 'Missing Film'],
      [4, 'Unmonitored Film'],
      [5, 'Future Film'],
      [6, 'Searched Film'],
    ] as const)
      ids[title] = (await postHook(red.url, 'jellyseerr', film(n, title).approved)).body.requestId;
    const release = new Date(Date.now() + 8 * DAY);
    release.setUTCHours(0, 0, 0, 0);
    radarr.movies.push(
      radarrRecord(4, 'Unmonitored Film', { monitored: false }),
      radarrRecord(5, 'Future Film', {
        isAvailable: false,
        status: 'announced',
        inCinemas: new Date(Date.now() - 30 * DAY).toISOString().replace(/\.\d+Z$/, 'Z'),
        digitalRelease: release.toISOString().replace(/\.\d+Z$/, 'Z'),
        releaseDate: release.toISOString().replace(/\.\d+Z$/, 'Z'),
        physicalRelease: undefined,
        lastSearchTime: undefined,
      }),
      radarrRecord(6, 'Searched Film', { lastSearchTime: '2026-11-30T18:05:00Z' }),
    );
    assert.equal((await sync()).status, 200);

    const code = async (id: number) => (await one(id)).waiting;
    assert.deepEqual(await code(pending.body.requestId), {
      code: 'pending-approval',
      text: 'waiting for approval in Jellyseerr',
      since: (await one(pending.body.requestId)).createdAt,
      next: { action: 'approve', text: 'approve it in Jellyseerr' },
    });
    assert.equal((await code(declined.body.requestId)).code, 'declined');
    assert.deepEqual(await code(ids['Missing Film']!), {
      code: 'not-in-arr',
      text: 'Radarr (radarr) has no such movie: check the server Jellyseerr sends it to',
      since: (await one(ids['Missing Film']!)).stateChangedAt,
      next: { action: 'open-arr', text: 'add it in Radarr' },
    });
    assert.equal((await code(ids['Unmonitored Film']!)).code, 'not-monitored');
    const future = await code(ids['Future Film']!);
    assert.equal(future.code, 'not-released');
    const day = release.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });
    assert.equal(future.text, `not released yet: digital release ${day}`);
    assert.equal(future.next, undefined, 'waiting for a release is normal: nothing to do');
    const searched = await code(ids['Searched Film']!);
    assert.equal(searched.code, 'no-release-found');
    assert.match(searched.text, /^no release found: searched.* last (Mon|Tue|Wed|Thu|Fri|Sat|Sun) 30 Nov/);
    assert.deepEqual(searched.next, { action: 'explain', text: 'ask why nothing was taken' });
    // No basis for an ETA without a single finished request: said, never invented.
    assert.deepEqual((await one(ids['Searched Film']!)).eta, {
      at: null,
      low: null,
      high: null,
      basis: 'no basis yet: fewer than 3 movies measured from release to grab',
    });

    radarr.releases.set(606, [
      arrRelease('Searched.Film.2014.CAM', ['Quality is not wanted in profile', 'Release is blocklisted']),
      arrRelease('Searched.Film.2014.TS', ['Quality is not wanted in profile']),
      arrRelease('Searched.Film.2014.German', ['Language is not wanted in profile']),
    ]);
    const explained = await act(ids['Searched Film']!, 'explain');
    assert.equal(explained.status, 200, JSON.stringify(explained.body));
    assert.deepEqual(explained.body.request.rejections.reasons, [
      { reason: 'Quality is not wanted in profile', count: 2 },
      { reason: 'Language is not wanted in profile', count: 1 },
      { reason: 'Release is blocklisted', count: 1 },
    ]);
    assert.equal(explained.body.request.waiting.code, 'releases-rejected');
    assert.equal(
      explained.body.request.waiting.text,
      '3 releases found, all rejected: Quality is not wanted in profile (2); Language is not wanted in profile (1); Release is blocklisted (1)',
    );
    assert.deepEqual(
      radarr.calls.filter((c) => c.startsWith('GET /api/v3/release')),
      ['GET /api/v3/release?movieId=606'],
    );
    const again = await act(ids['Searched Film']!, 'explain');
    assert.equal(again.status, 200);
    assert.equal(radarr.calls.filter((c) => c.startsWith('GET /api/v3/release')).length, 1, 'asked once: the same explain within a minute is the first one');
    const downloading = await act(pending.body.requestId, 'explain');
    assert.equal(downloading.status, 400);
    assert.match(downloading.body.error, /nothing of Pending Film waits for a release/);
  });

  it('downloading: queued, fetching metadata, downloading, stalled, paused, failed in qBittorrent; then importing, blocked, waiting for Jellyfin or Shoko', async () => {
    const m = film(10, 'Torrent Film');
    await postHook(red.url, 'jellyseerr', m.approved);
    const hash = m.grab.downloadId as string;
    qbit.set({ hash, progress: 0, state: 'queuedDL' });
    const id = (await postHook(red.url, 'radarr', m.grab)).body.requestId as number;
    const waitingFor = (code: string) => until(id, (r) => r.waiting?.code === code);

    // qBittorrent's poll says it is queued there.
    await until(id, (r) => r.waiting?.code === 'queued-in-client' && r.waiting.text === 'queued in the download client (0 %)');
    qbit.set({ hash, progress: 0, state: 'metaDL' });
    await waitingFor('fetching-metadata');
    qbit.set({ hash, progress: 0.25, state: 'downloading', dlspeed: 3 * 1048576, eta: 1800 });
    const running = await waitingFor('downloading');
    assert.equal(running.waiting.text, 'downloading, 25 %, 3.0 MB/s');
    assert.equal(running.eta.at, null, 'no finished movie yet: the rest has no basis');
    assert.match(running.eta.basis, /^no basis yet: fewer than 3 movies measured from downloaded to available$/);
    const lastActivity = Math.floor(Date.parse('2026-11-30T21:10:00Z') / 1000);
    qbit.set({ hash, progress: 0.4, state: 'stalledDL', num_seeds: 0, last_activity: lastActivity });
    const stalled = await waitingFor('stalled');
    assert.match(stalled.waiting.text, /^stalled at 40 %: 0 seeds, last activity (Mon|Tue|Wed|Thu|Fri|Sat|Sun) 30 Nov \d\d:\d\d$/);
    assert.equal(stalled.waiting.since, '2026-11-30T21:10:00.000Z');
    assert.deepEqual(stalled.waiting.next, { action: 'retry', text: 'retry: another release' });
    assert.deepEqual(stalled.eta, { at: null, low: null, high: null, basis: 'no basis while it is stalled' });
    qbit.set({ hash, progress: 0.4, state: 'stoppedDL' });
    assert.equal((await waitingFor('paused')).waiting.text, 'paused in the download client at 40 %');
    qbit.set({ hash, progress: 1, state: 'stalledUP' });
    assert.equal((await waitingFor('importing')).waiting.text, 'downloaded; waiting for Radarr to import it');
    await postHook(red.url, 'radarr', m.imported);
    const imported = await one(id);
    assert.deepEqual(imported.waiting.next, { action: 'verify', text: 'ask Jellyfin now' });
    assert.equal(imported.waiting.code, 'waiting-for-jellyfin');

    const interaction = clone(fixture('radarr-manual-interaction-required'));
    const blockedFilm = film(11, 'Blocked Film');
    await postHook(red.url, 'jellyseerr', blockedFilm.approved);
    Object.assign(interaction.movie, blockedFilm.grab.movie);
    interaction.downloadId = blockedFilm.grab.downloadId;
    const blocked = await postHook(red.url, 'radarr', interaction);
    const b = await one(blocked.body.requestId);
    assert.equal(b.waiting.code, 'import-blocked');
    assert.match(b.waiting.text, /^Radarr: /);

    const broken = film(12, 'Broken Film');
    await postHook(red.url, 'jellyseerr', broken.approved);
    qbit.set({ hash: broken.grab.downloadId, progress: 0.1, state: 'error' });
    const failedId = (await postHook(red.url, 'radarr', broken.grab)).body.requestId as number;
    const failed = await until(failedId, (r) => r.state === 'FAILED');
    assert.equal(failed.waiting.code, 'download-failed');
    assert.deepEqual(failed.waiting.next, { action: 'retry', text: 'retry: another release' });

    const anime = movieBodies(VIOLET);
    await postHook(red.url, 'jellyseerr', anime.approved);
    await postHook(red.url, 'radarr', anime.grab);
    const animeId = (await postHook(red.url, 'radarr', anime.imported)).body.requestId as number;
    const waitingShoko = (await one(animeId)).waiting;
    assert.deepEqual([waitingShoko.code, waitingShoko.text], ['waiting-for-shoko', 'imported; waiting for Shoko to find and match the file']);
  });

  it("a show: Sonarr's episode list gives each aired episode its reason (searched, not found) and the request its next air date", async () => {
    const show = showBodies({ ...LYCORIS, tvdb: 777001, tmdb: 777002, requestId: 777, sonarrId: 77, anime: false, title: 'Airing Show' });
    const id = (await postHook(red.url, 'jellyseerr', show.approved)).body.requestId as number;
    const now = Date.now();
    const aired = sonarrEpisodes(77, 1, 2, new Date(now - 9 * DAY).toISOString().replace(/\.\d+Z$/, 'Z')).map((e) => ({
      ...e,
      lastSearchTime: '2026-11-29T08:00:00Z',
    }));
    const next = sonarrEpisodes(77, 1, 1, new Date(now + 3 * DAY).toISOString().replace(/\.\d+Z$/, 'Z'), 77_500).map((e) => ({
      ...e,
      episodeNumber: 3,
      lastSearchTime: undefined,
    }));
    sonarr.series.push(sonarrSeries({ id: 77, title: 'Airing Show', year: 2022, tvdbId: 777001, tmdbId: 777002 }));
    sonarr.episodes.set(77, [...aired, ...next]);
    assert.equal((await sync()).status, 200);

    const r = await one(id);
    assert.deepEqual(
      r.episodes.map((e: any) => [e.episode, e.state, e.waiting.code]),
      [
        [1, 'APPROVED', 'no-release-found'],
        [2, 'APPROVED', 'no-release-found'],
      ],
    );
    assert.match(r.episodes[0].waiting.text, /^no release found: searched last (Mon|Tue|Wed|Thu|Fri|Sat|Sun) 29 Nov 08:00$/);
    assert.equal(r.waiting.code, 'no-release-found');
    assert.match(r.waiting.text, /^S01E01: no release found/);
    assert.deepEqual(
      r.upcoming.map((u: any) => u.episode),
      [3],
    );
  });
});
