import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeArr, FakeJellyseerr, radarrMovie } from '../fakes/arr-apis';
import { FakeJellyfin } from '../fakes/jellyfin';
import { FakeQbittorrent } from '../fakes/qbittorrent';
import { INTERSTELLAR, movieBodies } from '../support/bodies';
import { fixture, ROOT } from '../support/fixtures';
import { getJson, postApi, postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { eventually } from '../support/eventually';
import { exampleEnvOf } from '../fakes/fake-server';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Deletion sync armed (ticked, no dry run, a grace of moments) in the example flow in a real Node-RED,
 * without a webhook secret (the example's default), against fake Radarr, Jellyseerr, qBittorrent and
 * Jellyfin that record what they are asked: a forged Radarr MovieDelete and a Jellyfin ItemDeleted
 * followed by ItemAdded (a rescan) delete nothing.
 */

const dir = tempDir('mst-deletion-flow-');

describe('the example flow: deletion sync against forged and mistaken removals', () => {
  let red: RunningNodeRed;
  let radarr: FakeArr;
  let jellyseerr: FakeJellyseerr;
  let qbit: FakeQbittorrent;
  let jellyfin: FakeJellyfin;
  const m = movieBodies(INTERSTELLAR);
  const nothingDeleted = () => assert.deepEqual([jellyseerr.deletedMedia, qbit.deleted, radarr.calls.filter((c) => !c.startsWith('GET '))], [[], [], []]);

  before(async () => {
    [radarr, jellyseerr] = await Promise.all([new FakeArr('radarr').start(), new FakeJellyseerr().start()]);
    qbit = new FakeQbittorrent();
    jellyfin = new FakeJellyfin();
    await Promise.all([qbit.start(), jellyfin.start()]);
    const userDir = join(dir, 'node-red');
    mkdirSync(userDir, { recursive: true });
    const flows = JSON.parse(readFileSync(join(ROOT, 'examples', 'media-status-tracker.json'), 'utf8')) as any[];
    const action = flows.find((n) => n.type === 'media-action');
    Object.assign(action, { clearJellyseerr: true, removeTorrents: true, deleteFiles: true, deletionDryRun: false });
    // A route that passes the due deletions on now (the node's own timer looks every minute).
    flows.push(
      { id: 'test-deletions-in', type: 'http in', z: action.z, url: '/test/deletions', method: 'post', x: 100, y: 1500, wires: [['test-deletions-topic']] },
      {
        id: 'test-deletions-topic',
        type: 'change',
        z: action.z,
        rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'media-status/deletions', tot: 'str' }],
        x: 300,
        y: 1500,
        wires: [[action.id]],
      },
    );
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows));
    red = await startNodeRed(userDir, {
      STATUS_DB: join(dir, 'deletion.db'),
      ...exampleEnvOf(radarr, jellyseerr, qbit, jellyfin),
      // Due at once: what stops a deletion here is the verification, not the wait.
      DELETION_GRACE_HOURS: '0.000001',
      SYNC_MINUTES: '600',
    });
    jellyseerr.addRequest({ id: INTERSTELLAR.requestId, type: 'movie', tmdbId: INTERSTELLAR.tmdb, status: 2, mediaStatus: 5, arrId: INTERSTELLAR.radarrId });
    qbit.set({ hash: INTERSTELLAR.hash, progress: 1, state: 'stalledUP', private: false });
    radarr.movies.push({
      ...radarrMovie({ id: INTERSTELLAR.radarrId, title: 'Interstellar', year: 2014, tmdbId: INTERSTELLAR.tmdb }),
      monitored: true,
      hasFile: true,
      movieFileId: 3,
    });
    for (const [source, body] of [
      ['jellyseerr', m.approved],
      ['radarr', m.grab],
      ['radarr', m.imported],
    ] as const)
      assert.equal((await postHook(red.url, source, body)).status, 200);
  });
  after(async () => {
    await red?.stop();
    await Promise.all([radarr?.stop(), jellyseerr?.stop(), qbit?.stop(), jellyfin?.stop()]);
  });

  const request = async () => (await getJson(red.url, `/media-status/api/requests?limit=1`)).body[0];
  /** The deletion sync's own timer runs every minute: a control message runs it now. */
  const passOnDue = () => postApi(red.url, '/test/deletions');

  it('a forged Radarr MovieDelete (one curl, no secret): planned, then cancelled because Radarr still has the film; nothing is deleted', async () => {
    const forged = fixture('radarr-movie-delete');
    forged.movie = m.grab.movie;
    assert.equal((await postHook(red.url, 'radarr', forged)).status, 200);
    await eventually('the deletion planned', async () => (await request()).deletion);
    const planned = await request();
    assert.deepEqual(planned.deletion.plan, ['Jellyseerr: forget the media, so it can be requested again', 'qBittorrent: remove 1 torrent (with their files)']);
    const done = await passOnDue();
    assert.equal(done.status, 200);
    assert.deepEqual(
      done.body.done.map((d: any) => [d.action, d.detail]),
      [['deletion-cancelled', 'nothing deleted: Radarr still has it (monitored, with its file)']],
    );
    nothingDeleted();
    const after = await request();
    assert.deepEqual([after.removedAt, after.deletion], [null, null], 'the removal is undone');
  });

  it('Jellyfin ItemDeleted then ItemAdded (a rescan): the removal is undone before anything is due', async () => {
    const available = await postHook(red.url, 'jellyfin', m.jellyfin);
    assert.equal(available.status, 200);
    const deleted = { ...m.jellyfin, NotificationType: 'ItemDeleted' };
    assert.equal((await postHook(red.url, 'jellyfin', deleted)).status, 200);
    assert.ok((await request()).removedAt, 'removed');
    assert.equal((await postHook(red.url, 'jellyfin', { ...m.jellyfin, Timestamp: new Date().toISOString() })).status, 200);
    const after = await request();
    assert.deepEqual([after.state, after.removedAt, after.deletion], ['AVAILABLE', null, null]);
    const done = await passOnDue();
    assert.deepEqual(done.body.done, []);
    nothingDeleted();
  });
});
