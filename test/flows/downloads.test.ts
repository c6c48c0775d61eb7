import assert from 'node:assert/strict';
import { downloadRecord } from '../support/snapshot';
import { join } from 'node:path';
import { FakeJellyfin } from '../fakes/jellyfin';
import { FakeQbittorrent } from '../fakes/qbittorrent';
import { INTERSTELLAR, movieBodies } from '../support/bodies';
import { getJson, postApi, postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { eventually } from '../support/eventually';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The example flow in a real Node-RED with qbit-progress and jellyfin-verify configured from the
 * environment (QBIT_*, JELLYFIN_*), against servers that speak qBittorrent's and Jellyfin's APIs.
 */

const dir = tempDir('mst-dl-');
let red: RunningNodeRed;
let qbit: FakeQbittorrent;
let jellyfin: FakeJellyfin;

describe('the example flow with qBittorrent and Jellyfin', () => {
  before(async () => {
    qbit = new FakeQbittorrent({ username: 'tracker', password: 'torrent-pass' });
    jellyfin = new FakeJellyfin('jf-key');
    await Promise.all([qbit.start(), jellyfin.start()]);
    red = await startNodeRed(join(dir, 'node-red'), {
      STATUS_DB: join(dir, 'dl.db'),
      ...qbit.exampleEnv(),
      QBIT_POLL_SECONDS: '1',
      ...jellyfin.exampleEnv(),
      JELLYFIN_VERIFY_SECONDS: '1',
    });
  });
  after(async () => {
    await red?.stop();
    await Promise.all([qbit?.stop(), jellyfin?.stop()]);
  });

  const until = (title: string, check: (r: any) => boolean): Promise<any> =>
    eventually(title, async () => {
      const found = (await getJson(red.url, '/media-status/api/requests?limit=1000')).body.find((r: any) => r.title === title);
      return found && check(found) && found;
    });

  describe('downloads and verification through the tracker flow', () => {
    it('with nothing downloading, qBittorrent is never asked', async () => {
      // "Verify now" runs the poller's own poll and answers once it is done: for an unknown request and
      // for one with nothing downloading, it asks qBittorrent nothing.
      const m = movieBodies({ ...INTERSTELLAR, title: 'Nothing Yet', tmdb: 1, requestId: 1, hash: 'E'.repeat(40) });
      const approved = await postHook(red.url, 'jellyseerr', m.approved);
      for (const id of [99999, approved.body.requestId]) {
        const res = await postApi(red.url, `/media-status/api/requests/${id}/verify`);
        assert.ok([200, 404].includes(res.status), String(res.status));
      }
      assert.equal(qbit.infoCalls.length, 0);
      assert.equal(qbit.logins.length, 0);
    });

    it('a movie: progress with speed and ETA while it downloads, complete, imported, then found in Jellyfin', async () => {
      const m = movieBodies(INTERSTELLAR);
      await postHook(red.url, 'jellyseerr', m.approved);
      qbit.set({ hash: INTERSTELLAR.hash, progress: 0.3, state: 'downloading', dlspeed: 2_500_000, eta: 1200 });
      await postHook(red.url, 'radarr', m.grab);
      let r = await until('Interstellar', (x) => x.state === 'DOWNLOADING');
      assert.deepEqual(r.downloads, [
        downloadRecord({
          id: INTERSTELLAR.hash,
          progress: 0.3,
          state: 'DOWNLOADING',
          speed: 2_500_000,
          etaSeconds: 1200,
          instance: 'radarr',
          clientState: 'downloading',
          seeds: 14,
          activeAt: '2026-01-21T15:40:00.000Z',
        }),
      ]);
      qbit.set({ hash: INTERSTELLAR.hash, progress: 0.6, state: 'downloading', dlspeed: 2_000_000, eta: 600 });
      await until('Interstellar', (x) => x.downloads[0].progress === 0.6);
      qbit.set({ hash: INTERSTELLAR.hash, progress: 1, state: 'stalledUP' });
      r = await until('Interstellar', (x) => x.state === 'DOWNLOADED');
      assert.deepEqual(
        r.downloads[0],
        downloadRecord({
          id: INTERSTELLAR.hash,
          progress: 1,
          state: 'DOWNLOADED',
          instance: 'radarr',
          clientState: 'stalledUP',
          seeds: 14,
          activeAt: '2026-01-21T15:40:00.000Z',
        }),
      );
      // Another download starts: the polls that ask for it no longer ask for the completed one.
      const other = movieBodies({ ...INTERSTELLAR, title: 'Still Downloading', tmdb: 2, requestId: 2, hash: 'F'.repeat(40) });
      qbit.set({ hash: other.grab.downloadId, progress: 0.1, state: 'downloading', dlspeed: 1, eta: 100 });
      await postHook(red.url, 'radarr', other.grab);
      await until('Still Downloading', (x) => x.state === 'DOWNLOADING');
      const latest = qbit.infoCalls.at(-1) ?? [];
      assert.deepEqual(latest, [other.grab.downloadId.toLowerCase()], 'complete: no longer polled');

      jellyfin.add({
        Id: '9'.repeat(32),
        Name: 'Interstellar',
        Type: 'Movie',
        ProductionYear: 2014,
        ProviderIds: { Tmdb: '157336' },
        Path: '/data/movies/Interstellar.mkv',
      });
      await postHook(red.url, 'radarr', m.imported);
      r = await until('Interstellar', (x) => x.state === 'AVAILABLE');
      assert.equal(r.ids.jellyfin, '9'.repeat(32));
      const detail = (await getJson(red.url, `/media-status/api/requests/${r.id}`)).body;
      assert.deepEqual(
        detail.timeline.map((t: any) => t.state),
        ['APPROVED', 'GRABBING', 'DOWNLOADING', 'DOWNLOADED', 'IMPORTING', 'AVAILABLE'],
        'stages, not every percent',
      );
    });

    it('"verify now" answers with the updated request: a re-request of media already in Jellyfin', async () => {
      const m = movieBodies({
        ...INTERSTELLAR,
        title: 'Paprika',
        tmdb: 4977,
        imdb: 'tt0851578',
        year: 2006,
        requestId: 321,
        hash: '1234567890ABCDEF1234567890ABCDEF12345678',
      });
      const approved = await postHook(red.url, 'jellyseerr', m.approved);
      jellyfin.add({
        Id: '7'.repeat(32),
        Name: 'Paprika',
        Type: 'Movie',
        ProductionYear: 2006,
        ProviderIds: { Tmdb: '4977' },
        Path: '/data/movies/Paprika.mkv',
      });
      const res = await postApi(red.url, `/media-status/api/requests/${approved.body.requestId}/verify`);
      assert.equal(res.status, 200);
      assert.deepEqual([res.body.ok, res.body.action, res.body.request.state, res.body.request.ids.jellyfin], [true, 'verify', 'AVAILABLE', '7'.repeat(32)]);
      // One behaviour: the route is the verify action.
      const action = await postApi(red.url, `/media-status/api/requests/${approved.body.requestId}/actions/verify`);
      assert.deepEqual([action.status, action.body.request.state], [200, 'AVAILABLE']);
      const detail = await getJson(red.url, `/media-status/api/requests/${approved.body.requestId}`);
      const timeline = detail.body.timeline as { source: string; detail: string }[];
      assert.ok(
        timeline.some((t) => t.source === 'jellyfin'),
        JSON.stringify(timeline),
      );
      // Recorded as who asked: the route's credential, not "flow".
      assert.equal(timeline.at(-1)!.detail, 'verified by api token: Jellyfin plays it');
      for (const path of ['/media-status/api/requests/99999/verify', '/media-status/api/requests/99999/actions/verify']) {
        assert.equal((await postApi(red.url, path)).status, 404, path);
      }
    });
  });
});
