import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FakeArr, FakeJellyseerr, radarrMovie, radarrQueueRecord } from '../fakes/arr-apis';
import { INTERSTELLAR, movieBodies } from '../support/bodies';
import { getJson, postApi, postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { exampleEnvOf } from '../fakes/fake-server';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The example flow's sync branch in a real Node-RED, configured from the environment (JELLYSEERR_*,
 * RADARR_*, RADARR_4K_*, SONARR_*), against servers that speak those APIs; RADARR_4K_URL is left
 * empty first (idle), then a second Node-RED has a 4K Radarr beside the HD one.
 */

const dir = tempDir('mst-sync-flow-');
const sync = (red: RunningNodeRed) => postApi(red.url, '/media-status/api/sync');
const requests = async (red: RunningNodeRed): Promise<any[]> => (await getJson(red.url, '/media-status/api/requests?limit=100')).body;

describe('the example flow: sync from the APIs', () => {
  let jellyseerr: FakeJellyseerr;
  let radarr: FakeArr;
  let radarr4k: FakeArr;
  let sonarr: FakeArr;
  let red: RunningNodeRed | undefined;

  beforeEach(async () => {
    jellyseerr = await new FakeJellyseerr().start();
    radarr = await new FakeArr('radarr').start();
    radarr4k = await new FakeArr('radarr', 'radarr4k-key').start();
    sonarr = await new FakeArr('sonarr').start();
  });
  afterEach(async () => {
    await red?.stop();
    red = undefined;
    await Promise.all([jellyseerr.stop(), radarr.stop(), radarr4k.stop(), sonarr.stop()]);
  });

  const start = (name: string, env: Record<string, string> = {}) =>
    startNodeRed(join(dir, name), {
      STATUS_DB: join(dir, `${name}.db`),
      ...exampleEnvOf(jellyseerr, radarr, sonarr),
      SYNC_MINUTES: '600',
      ...env,
    });

  it('POST /media-status/api/sync answers after the commit with each source; an empty URL is idle; one source down never stops the others', async () => {
    jellyseerr.addRequest({ id: 1, type: 'movie', tmdbId: 102, status: 2, mediaStatus: 3, arrId: 12, title: 'Downloading Film' });
    radarr.queue.push(
      radarrQueueRecord(radarrMovie({ id: 12, title: 'Downloading Film', year: 2020, tmdbId: 102 }), 'B'.repeat(40), { size: 100, sizeleft: 25 }),
    );
    sonarr.down = true;
    red = await start('one');
    const { status, body } = await sync(red);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body.sources).sort(), ['jellyseerr', 'radarr', 'sonarr'], 'radarr-4k has no URL: idle, not synced');
    assert.equal(body.ok, false);
    assert.deepEqual(body.sources.jellyseerr, { ok: true, read: 1, skipped: 0, changed: 1 });
    assert.deepEqual(body.sources.radarr, { ok: true, read: 1, skipped: 0, changed: 1 });
    assert.equal(body.sources.sonarr.ok, false);
    assert.match(body.sources.sonarr.error, /Sonarr is unreachable/);
    // Answered after the commit: the state is there at once.
    const [film] = await requests(red);
    assert.deepEqual([film.title, film.state, film.downloads[0].progress], ['Downloading Film', 'DOWNLOADING', 0.75]);
    assert.ok(!JSON.stringify(body).includes('radarr-key'), 'no API key in the answer');
    // Each server's edit dialog shows what its last call found.
    const server = async (id: string) => (await getJson(red!.url, `/media-status/servers/${id}`)).body;
    assert.deepEqual(
      [(await server('f1a0c0de000000b3')).state, (await server('f1a0c0de000000b1')).state, (await server('f1a0c0de000000b2')).state],
      ['unreachable', 'ok', 'off'],
    );
    assert.match((await server('f1a0c0de000000b3')).message, /Sonarr is unreachable/);
    // One line in the log naming the source, its URL and the problem; not one more for the same problem.
    assert.equal((await sync(red)).body.sources.sonarr.ok, false);
    const lines = red
      .output()
      .split('\n')
      .filter((line) => line.includes('sync of sonarr'));
    assert.equal(lines.length, 1, red.output());
    assert.match(lines[0]!, new RegExp(`\\[error\\] \\[media-sync:.*sync of sonarr \\(${sonarr.url.replace(/\./g, '\\.')}\\) failed: Sonarr is unreachable`));

    sonarr.down = false;
    const again = await sync(red);
    assert.equal(again.body.ok, true);
    assert.deepEqual(again.body.sources.radarr, { ok: true, read: 1, skipped: 0, changed: 0 });
  });

  it('a 4K Radarr beside the HD one: its webhook names its instance, and 4K and HD requests for the same film never exchange events', async () => {
    jellyseerr.addRequest({
      id: 10,
      type: 'movie',
      tmdbId: INTERSTELLAR.tmdb,
      status: 2,
      mediaStatus: 3,
      arrId: 60,
      title: 'Interstellar',
      requester: 'adept',
    });
    jellyseerr.addRequest({
      id: 11,
      type: 'movie',
      tmdbId: INTERSTELLAR.tmdb,
      status: 2,
      mediaStatus: 3,
      arrId: 7,
      is4k: true,
      title: 'Interstellar',
      requester: 'kana',
    });
    red = await start('four-k', { RADARR_4K_URL: radarr4k.url, RADARR_4K_API_KEY: 'radarr4k-key' });
    const { body } = await sync(red);
    assert.deepEqual(Object.keys(body.sources).sort(), ['jellyseerr', 'radarr', 'radarr-4k', 'sonarr']);

    const m = movieBodies(INTERSTELLAR);
    const uhd = structuredClone(m.grab);
    uhd.downloadId = '4'.repeat(40);
    uhd.movie.id = 7;
    assert.equal((await postHook(red.url, 'radarr?instance=radarr-4k', uhd)).status, 200);
    assert.equal((await postHook(red.url, 'radarr', m.grab)).status, 200);
    const list = await requests(red);
    const hd = list.find((r) => !r.is4k);
    const fourK = list.find((r) => r.is4k);
    assert.deepEqual(
      [hd.requestedBy, hd.downloads.map((d: any) => [d.id, d.instance]), hd.ids.radarr],
      ['adept', [[INTERSTELLAR.hash, 'radarr']], m.grab.movie.id],
    );
    assert.deepEqual(
      [fourK.requestedBy, fourK.downloads.map((d: any) => [d.id, d.instance]), fourK.ids.radarr],
      ['kana', [['4'.repeat(40), 'radarr-4k']], null],
    );
    assert.deepEqual(fourK.instances, [{ name: 'radarr-4k', kind: 'radarr', is4k: true, id: 7 }]);
  });
});
