import assert from 'node:assert/strict';
import { downloadRecord } from '../support/snapshot';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { Connection } from '../../lib/store/sqlite';
import { INTERSTELLAR, LYCORIS, SEVERANCE, VIOLET, movieJourney, showBodies, showJourney, type Hook, type ShowSpec } from '../support/bodies';
import { fixture } from '../support/fixtures';
import { malformedCorpus } from '../support/malformed';
import { getJson, postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { rawPost } from '../support/raw-http';
import { tempDir } from '../support/tmp';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The example flow itself (examples/media-status-tracker.json), in a real Node-RED started as
 * `npm start` starts it, driven over real HTTP, on a real SQLite file.
 */

const dir = tempDir('mst-flow-');
const userDir = join(dir, 'node-red');
const database = join(dir, 'tracker.db');
let red: RunningNodeRed;

describe('the example flow', () => {
  before(async () => {
    red = await startNodeRed(userDir, { STATUS_DB: database });
  });
  after(async () => {
    await red?.stop();
  });

  async function sendAll(hooks: Hook[]): Promise<void> {
    for (const [source, body] of hooks) {
      const res = await postHook(red.url, source, body);
      assert.equal(res.status, 200, `${source} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.ok, true);
    }
  }

  async function requestByTitle(title: string): Promise<any> {
    const list = await getJson(red.url, '/media-status/api/requests?limit=1000');
    const found = list.body.find((r: any) => r.title === title);
    assert.ok(found, `${title} is tracked`);
    return (await getJson(red.url, `/media-status/api/requests/${found.id}`)).body;
  }

  /** Every row of every table, as a reader of the file sees it. */
  async function databaseContent(): Promise<string> {
    const db = await Connection.open(database, sqlite3.OPEN_READONLY);
    try {
      const tables = await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
      const dump: Record<string, unknown[]> = {};
      for (const { name } of tables) dump[name] = await db.allOnce(`SELECT * FROM "${name}" ORDER BY 1, 2`);
      return JSON.stringify(dump);
    } finally {
      await db.close();
    }
  }

  describe('tracker flow: journeys from Jellyseerr to Jellyfin', () => {
    it('a regular movie', async () => {
      await sendAll(movieJourney(INTERSTELLAR));
      const r = await requestByTitle('Interstellar');
      assert.equal(r.state, 'AVAILABLE');
      assert.equal(r.isAnime, false);
      assert.deepEqual(r.ids, {
        jellyseerrRequest: 80,
        tmdb: 157336,
        tvdb: null,
        imdb: 'tt0816692',
        radarr: 60,
        sonarr: null,
        jellyfin: (157336).toString(16).padStart(32, '0'),
      });
      assert.deepEqual(
        r.timeline.map((t: any) => t.state),
        ['REQUESTED', 'APPROVED', 'GRABBING', 'IMPORTING', 'AVAILABLE'],
      );
      assert.deepEqual(r.downloads, [downloadRecord({ id: INTERSTELLAR.hash, progress: 1, state: 'DOWNLOADED', instance: 'radarr' })]);
      assert.match(r.finalPath, /Interstellar \(2014\) \[Bluray-1080p\]\.mkv$/);
      assert.deepEqual(r.episodes, []);
      assert.ok(r.availableAt && r.createdAt <= r.availableAt);
    });

    it('a regular TV season pack', async () => {
      await sendAll(showJourney(SEVERANCE));
      const r = await requestByTitle('Severance');
      assert.equal(r.state, 'AVAILABLE');
      assert.deepEqual(r.episodeCounts, {
        total: 9,
        APPROVED: 0,
        GRABBING: 0,
        DOWNLOADING: 0,
        DOWNLOADED: 0,
        IMPORTING: 0,
        ANIME_MATCHING: 0,
        AVAILABLE: 9,
        FAILED: 0,
      });
      assert.ok(r.episodes.every((e: any) => e.finalPath.endsWith(`S01E${String(e.episode).padStart(2, '0')}.1080p.BluRay.x265-GRP.mkv`)));
      // pending, approved, grab, 9 per-file imports (the import-complete is a duplicate of them), 9 Jellyfin items
      assert.equal(r.timeline.length, 3 + 9 + 9);
    });

    it('an anime movie', async () => {
      await sendAll(movieJourney(VIOLET));
      const r = await requestByTitle('Violet Evergarden: The Movie');
      assert.equal(r.isAnime, true);
      assert.equal(r.state, 'AVAILABLE');
      assert.deepEqual(
        r.timeline.map((t: any) => t.state),
        ['REQUESTED', 'APPROVED', 'GRABBING', 'IMPORTING', 'AVAILABLE'],
      );
    });

    it('an anime TV season, each webhook sent twice (a retry changes nothing)', async () => {
      for (const [source, body] of showJourney(LYCORIS)) {
        const first = await postHook(red.url, source, body);
        const retry = await postHook(red.url, source, body);
        assert.equal(first.status, 200);
        assert.deepEqual([retry.status, retry.body.outcome], [200, 'duplicate']);
      }
      const r = await requestByTitle('Lycoris Recoil');
      assert.equal(r.isAnime, true);
      assert.equal(r.state, 'AVAILABLE');
      assert.equal(r.episodeCounts.AVAILABLE, 13);
      assert.equal(r.timeline.length, 3 + 13 + 13);
    });

    it('a season pack plus separately grabbed episodes, the import arriving before the download reports complete', async () => {
      const spec: ShowSpec = {
        ...SEVERANCE,
        requestId: 90,
        title: 'Pluribus',
        tvdb: 455001,
        tmdb: 225001,
        sonarrId: 40,
        episodeTvdbBase: 8800000,
        season: 1,
        episodes: 6,
      };
      const b = showBodies(spec);
      const single = 'E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0';
      await sendAll([
        ['jellyseerr', b.approved],
        ['sonarr', b.grab([1, 2, 3, 4])],
        ['sonarr', b.grab([5, 6], single)],
      ]);
      let r = await requestByTitle('Pluribus');
      assert.deepEqual(r.downloads.map((d: any) => d.id).sort(), [single, spec.hash].sort());
      await sendAll([['sonarr', b.importComplete([1, 2, 3, 4])]]);
      r = await requestByTitle('Pluribus');
      assert.equal(r.state, 'GRABBING', 'episodes 5 and 6 are still on their own download');
      assert.deepEqual(
        r.downloads.find((d: any) => d.id === single),
        downloadRecord({ id: single, instance: 'sonarr' }),
      );
      await sendAll([
        ['sonarr', b.importFile(5, single)],
        ['sonarr', b.importFile(6, single)],
      ]);
      r = await requestByTitle('Pluribus');
      assert.equal(r.state, 'IMPORTING');
      assert.ok(r.downloads.every((d: any) => d.state === 'DOWNLOADED' && d.progress === 1));
    });

    it('every Test event is answered and stores nothing', async () => {
      const before = await databaseContent();
      for (const [source, name] of [
        ['jellyseerr', 'jellyseerr-test'],
        ['radarr', 'radarr-test'],
        ['sonarr', 'sonarr-test'],
      ] as const) {
        const res = await postHook(red.url, source, fixture(name));
        assert.deepEqual([res.status, res.body.ok, res.body.outcome], [200, true, 'test']);
      }
      assert.equal(await databaseContent(), before);
    });

    it('50 webhooks for one series fired at once lose no episode update', async () => {
      const spec: ShowSpec = {
        ...LYCORIS,
        requestId: 91,
        title: 'One Piece',
        tvdb: 81797,
        tmdb: 37854,
        sonarrId: 50,
        hash: '0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F',
        episodeTvdbBase: 6600000,
        episodes: 50,
        anime: true,
      };
      const b = showBodies(spec);
      await sendAll([['sonarr', b.grab()]]);
      const results = await Promise.all(b.numbers.map((n) => postHook(red.url, 'sonarr', b.importFile(n))));
      assert.ok(results.every((r) => r.status === 200 && r.body.outcome === 'changed'));
      const r = await requestByTitle('One Piece');
      assert.equal(r.episodes.length, 50);
      assert.ok(r.episodes.every((e: any) => e.state === 'IMPORTING' && e.finalPath));
      assert.equal(r.state, 'IMPORTING');
    });
  });

  describe('tracker flow: service health', () => {
    it("an arr's On Health Issue shows on the status page's services line (its paths left out) until Health Restored", async () => {
      const sonarr = { ...fixture('sonarr-health'), level: 'warning', message: 'Missing root folder: /data/tv/anime', type: 'RootFolderCheck' };
      for (const [source, body] of [
        ['radarr', fixture('radarr-health')],
        ['sonarr', sonarr],
      ] as const) {
        const res = await postHook(red.url, source, body);
        assert.deepEqual([res.status, res.body.outcome], [200, 'notice']);
      }
      const shown = (await getJson(red.url, '/media-status/data/services')).body as { instance: string; level: string; message: string }[];
      assert.deepEqual(shown.map((s) => [s.instance, s.level, s.message]).sort(), [
        ['Radarr', 'error', 'All download clients are unavailable due to failures'],
        ['Sonarr', 'warning', 'Missing root folder: …'],
      ]);
      const restored = await postHook(red.url, 'radarr', { ...fixture('radarr-health'), eventType: 'HealthRestored', level: 'ok' });
      assert.equal(restored.status, 200);
      const after = (await getJson(red.url, '/media-status/data/services')).body as { instance: string }[];
      assert.deepEqual(
        after.map((s) => s.instance),
        ['Sonarr'],
      );
    });
  });

  describe('tracker flow: bad input', () => {
    it('at least 200 malformed bodies each get a 400 naming what is wrong, forgeries 403, oversize bodies 413; the database does not change', async () => {
      const corpus = malformedCorpus();
      assert.ok(corpus.length >= 200, `corpus has ${corpus.length} bodies`);
      const before = await databaseContent();
      for (const item of corpus) {
        const res = await postHook(red.url, item.source, item.body);
        assert.equal(res.status, 400, `${item.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        assert.equal(res.body.ok, false, item.name);
        assert.equal(typeof res.body.error, 'string', item.name);
        assert.match(res.body.error, /^(body|[A-Za-z_][\w ]*(\[\d+\])?(\.[A-Za-z_][\w ]*(\[\d+\])?)*): \S/, `${item.name}: ${res.body.error}`);
        assert.equal(res.body.error.includes('\n'), false, item.name);
      }
      // A browser's forgery, and bodies too large to read (declared, or growing past the limit).
      const pending = movieJourney({ ...INTERSTELLAR, tmdb: 4242, requestId: 4242 })[0]![1];
      for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
        const res = await postHook(red.url, 'jellyseerr', JSON.stringify(pending), { 'content-type': 'text/plain', ...headers });
        assert.equal(res.status, 403, JSON.stringify(headers));
      }
      for (const body of [{ declared: 150 * 1024 * 1024, send: 512 * 1024 }, { send: 8 * 1024 * 1024 }]) {
        const res = await rawPost(`${red.url}/hooks/radarr`, { 'content-type': 'application/json' }, body);
        assert.equal(res.status, 413, JSON.stringify(body));
      }
      assert.equal(await databaseContent(), before, 'no stored data changed');
      // Still up, and still tracking.
      const res = await postHook(red.url, 'jellyseerr', pending);
      assert.deepEqual([res.status, res.body.outcome], [200, 'changed']);
      assert.equal((await requestByTitle(INTERSTELLAR.title)).state, 'REQUESTED');
    });

    it('the read API says 404 for an unknown request and 400 for a bad filter', async () => {
      assert.equal((await getJson(red.url, '/media-status/api/requests/99999')).status, 404);
      const bad = await getJson(red.url, '/media-status/api/requests?state=NOPE');
      assert.equal(bad.status, 400);
      assert.match(bad.body.error, /^state\[0\]: /);
      const list = await getJson(red.url, '/media-status/api/requests?state=AVAILABLE&limit=2');
      assert.equal(list.body.length, 2);
      assert.ok(list.body.every((r: any) => r.state === 'AVAILABLE' && r.timeline === undefined));
    });
  });

  describe('tracker flow: restart and secret', () => {
    it('a restart of Node-RED keeps everything; with WEBHOOK_SECRET set a request without it gets 401', async () => {
      const listBefore = (await getJson(red.url, '/media-status/api/requests?limit=1000')).body;
      const detailBefore = (await getJson(red.url, `/media-status/api/requests/${listBefore[0].id}`)).body;
      await red.stop();
      red = await startNodeRed(userDir, { STATUS_DB: database, WEBHOOK_SECRET: 'hush-hush' });
      assert.deepEqual((await getJson(red.url, '/media-status/api/requests?limit=1000')).body, listBefore);
      assert.deepEqual((await getJson(red.url, `/media-status/api/requests/${listBefore[0].id}`)).body, detailBefore);

      const denied = await postHook(red.url, 'radarr', fixture('radarr-test'));
      assert.deepEqual([denied.status, denied.body], [401, { ok: false, error: 'missing or wrong webhook secret' }]);
      const basic = `Basic ${Buffer.from('radarr:hush-hush').toString('base64')}`;
      assert.equal((await postHook(red.url, 'radarr', fixture('radarr-test'), { authorization: basic })).status, 200);
      assert.equal(red.output().includes('hush-hush'), false, 'the secret is never logged');
    });
  });
});
