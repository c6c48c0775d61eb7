import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FakeShokoServer } from '../fakes/shoko-server';
import { LYCORIS, VIOLET, jellyfinShokoEpisode, movieBodies, shokoFile, showBodies, type ShowSpec } from '../support/bodies';
import { fixture } from '../support/fixtures';
import { getJson, postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { eventually } from '../support/eventually';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The anime journeys through the example flow in a real Node-RED (as npm start runs it), with its
 * shoko-in node configured from SHOKO_URL and SHOKO_API_KEY and connected to a hub that speaks
 * SignalR's JSON protocol.
 */

const dir = tempDir('mst-anime-');
let red: RunningNodeRed;
let shoko: FakeShokoServer;

describe('the example flow with Shoko', () => {
  before(async () => {
    shoko = new FakeShokoServer({ apiKey: 'anime-key', pingMs: 1000 });
    await shoko.start();
    red = await startNodeRed(join(dir, 'node-red'), { STATUS_DB: join(dir, 'anime.db'), SHOKO_URL: shoko.url, SHOKO_API_KEY: 'anime-key' });
    await shoko.waitForClient();
  });
  after(async () => {
    await red?.stop();
    await shoko?.stop();
  });

  async function hook(source: string, body: unknown) {
    const res = await postHook(red.url, source, body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  }

  async function request(title: string): Promise<any> {
    const list = (await getJson(red.url, '/media-status/api/requests?limit=1000')).body;
    const found = list.find((r: any) => r.title === title);
    return found && (await getJson(red.url, `/media-status/api/requests/${found.id}`)).body;
  }

  /** Shoko's events have no answer to wait for: poll the read API. */
  const until = (title: string, check: (r: any) => boolean): Promise<any> =>
    eventually(title, async () => {
      const r = await request(title);
      return r && check(r) && r;
    });

  function send([target, argument]: readonly [string, unknown]) {
    shoko.send(target, argument);
  }

  describe('anime journeys through the tracker flow', () => {
    it('anime TV: Shoko seeing files before the import, the metadata flood, matches, Shokofin items in Jellyfin', async () => {
      const spec: ShowSpec = { ...LYCORIS, episodes: 13 };
      const b = showBodies(spec);
      const file = (i: number) => shokoFile(b.file(i).path, 4800 + i);
      await hook('jellyseerr', b.approved);
      await hook('sonarr', b.grab());
      // Shoko watches the folder: it can see the first files before Sonarr's import webhook arrives.
      for (const i of [1, 2, 3]) send(file(i).detected());
      await new Promise((resolve) => setTimeout(resolve, 300));
      await hook('sonarr', b.importComplete());
      let r = await until('Lycoris Recoil', (x) => x.episodeCounts.ANIME_MATCHING === 3);
      assert.equal(r.state, 'IMPORTING');
      // The realistic flood: FileHashed x13, a SeriesUpdated, EpisodeUpdated x78.
      for (const i of b.numbers) send(file(i).hashed());
      shoko.send('ShokoEvent:SeriesUpdated', fixture('shoko/series-updated')[0]);
      for (let i = 0; i < 78; i++) shoko.send('ShokoEvent:EpisodeUpdated', { ...fixture('shoko/episode-updated')[0], EpisodeID: 261573 + (i % 13) });
      await until('Lycoris Recoil', (x) => x.state === 'ANIME_MATCHING');
      for (const i of b.numbers) send(file(i).matched());
      r = await until('Lycoris Recoil', (x) => x.timeline.filter((t: any) => t.detail.startsWith('Shoko matched it')).length === 13);
      assert.equal(r.state, 'ANIME_MATCHING', 'matched is not playable yet');
      for (const i of b.numbers) await hook('jellyfin', jellyfinShokoEpisode('Lycoris Recoil', 1, i, 4800 + i));
      r = await until('Lycoris Recoil', (x) => x.state === 'AVAILABLE');
      assert.equal(r.episodeCounts.AVAILABLE, 13);
      assert.deepEqual([...new Set(r.timeline.map((t: any) => t.state))], ['APPROVED', 'GRABBING', 'IMPORTING', 'ANIME_MATCHING', 'AVAILABLE']);
    });

    it('anime movie: imported, hashed, not matched (needs a manual link), then matched and played', async () => {
      const m = movieBodies(VIOLET);
      const file = shokoFile(m.imported.movieFile.path, 4790);
      for (const [source, body] of [
        ['jellyseerr', m.pending],
        ['radarr', m.grab],
        ['radarr', m.imported],
      ] as const)
        await hook(source, body);
      send(file.hashed());
      await until(VIOLET.title, (x) => x.state === 'ANIME_MATCHING');
      send(file.notMatched(1));
      const r = await until(VIOLET.title, (x) => x.attention?.kind === 'needs-link');
      assert.match(r.attention.reason, /^needs a manual link in Shoko \(1 automatic match attempt\)/);
      send(file.matched());
      await until(VIOLET.title, (x) => x.attention === null);
      await hook('jellyfin', m.jellyfin);
      await until(VIOLET.title, (x) => x.state === 'AVAILABLE');
    });

    it('Shoko under another mount root than Sonarr; two shows with identically named files', async () => {
      const showA: ShowSpec = {
        ...LYCORIS,
        title: 'Show A',
        tvdb: 700001,
        tmdb: 710001,
        sonarrId: 91,
        requestId: 501,
        hash: 'A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1',
        episodes: 1,
        episodeTvdbBase: 7700000,
      };
      const showB: ShowSpec = {
        ...showA,
        title: 'Show B',
        tvdb: 700002,
        tmdb: 710002,
        sonarrId: 92,
        requestId: 502,
        hash: 'B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2',
        episodeTvdbBase: 7800000,
      };
      for (const spec of [showA, showB]) {
        const b = showBodies(spec);
        const body = b.importComplete();
        // Both files are called episode01.mkv; only their folders differ.
        body.episodeFiles[0].path = `/data/anime/shows/${spec.title}/Season 1/S01E01 episode01.mkv`;
        body.episodeFiles[0].relativePath = 'Season 1/S01E01 episode01.mkv';
        await hook('sonarr', b.grab());
        await hook('sonarr', body);
      }
      // Shoko's import folder is /srv/anime: its relative paths share only "<show>/Season 1/<file>" with Sonarr's.
      shoko.send('ShokoEvent:FileMatched', {
        FileID: 8002,
        FileLocationID: 1,
        ImportFolderID: 3,
        RelativePath: 'Show B/Season 1/S01E01 episode01.mkv',
        CrossReferences: [{ EpisodeID: 1, AnidbEpisodeID: 2, SeriesID: 3, AnidbAnimeID: 4, GroupID: 5 }],
      });
      const b = await until('Show B', (x) => x.state === 'ANIME_MATCHING');
      const a = await request('Show A');
      assert.equal(a.state, 'IMPORTING', 'the file of the other show with the same name was not touched');
      assert.equal(b.episodes[0].state, 'ANIME_MATCHING');
    });

    it('the hub killed and restarted: shoko-in reconnects on its own and later events are applied', async () => {
      const spec: ShowSpec = {
        ...LYCORIS,
        title: 'Restart Show',
        tvdb: 720001,
        tmdb: 730001,
        sonarrId: 93,
        requestId: 503,
        hash: 'C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3',
        episodes: 2,
        episodeTvdbBase: 7900000,
      };
      const b = showBodies(spec);
      await hook('sonarr', b.grab());
      await hook('sonarr', b.importComplete());
      const handshakes = shoko.handshakes;
      await shoko.kill();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await shoko.restart();
      await shoko.waitForClient();
      assert.equal(shoko.handshakes, handshakes + 1);
      for (const i of [1, 2]) send(shokoFile(b.file(i).path, 9100 + i).matched());
      await until('Restart Show', (x) => x.state === 'ANIME_MATCHING');
    });
  });
});
