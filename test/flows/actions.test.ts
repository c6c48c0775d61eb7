import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FakeArr, radarrMovie, radarrQueueRecord } from '../fakes/arr-apis';
import { VIOLET, movieBodies } from '../support/bodies';
import { fixture } from '../support/fixtures';
import { getJson, postApi, postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The example flow's action route, POST /media-status/api/requests/:id/actions/:action, in a real
 * Node-RED against a server speaking Radarr's API (RADARR_URL, RADARR_API_KEY).
 */

const dir = tempDir('mst-actions-flow-');

describe('the example flow: actions', () => {
  let radarr: FakeArr;
  let red: RunningNodeRed;
  const v = movieBodies(VIOLET);
  const act = (id: number | string, action: string, body: unknown = {}) => postApi(red.url, `/media-status/api/requests/${id}/actions/${action}`, body);

  before(async () => {
    radarr = await new FakeArr('radarr').start();
    red = await startNodeRed(join(dir, 'node-red'), {
      STATUS_DB: join(dir, 'actions.db'),
      ...radarr.exampleEnv(),
      SYNC_MINUTES: '600',
    });
  });
  after(async () => {
    await red?.stop();
    await radarr?.stop();
  });

  it('retry answers after the action with the request and every call; a service refusing is a 502 in its words; what does not apply is a 400; an unknown request a 404', async () => {
    await postHook(red.url, 'jellyseerr', v.approved);
    const grabbed = await postHook(red.url, 'radarr', v.grab);
    const id = grabbed.body.requestId as number;
    radarr.queue.push(radarrQueueRecord(radarrMovie({ id: VIOLET.radarrId, title: VIOLET.title, year: VIOLET.year, tmdbId: VIOLET.tmdb }), VIOLET.hash));

    radarr.failNext = { status: 500, body: { message: 'Database is locked' } };
    const refused = await act(id, 'retry', { reason: 'stalled' });
    assert.equal(refused.status, 502);
    assert.match(refused.body.error, /answered 500 \(Database is locked\)/);
    assert.equal((await getJson(red.url, `/media-status/api/requests/${id}`)).body.attention, null, 'nothing recorded');
    const logged = red
      .output()
      .split('\n')
      .filter((line) => line.includes('an action was refused'));
    assert.equal(logged.length, 1);
    assert.match(
      logged[0]!,
      new RegExp(`\\[warn\\] \\[media-action:.*an action was refused by ${radarr.url.replace(/\./g, '\\.')}: Radarr /api/v3/queue: answered 500`),
    );

    const done = await act(id, 'retry', { reason: 'stalled' });
    assert.equal(done.status, 200);
    assert.deepEqual(
      [done.body.ok, done.body.action, done.body.request.id, done.body.request.attention.reason],
      [true, 'retry', id, 'retry requested by api token: stalled'],
    );
    assert.deepEqual(
      done.body.calls.map((c: any) => `${c.service} ${c.method} ${c.path.replace(/\?.*/, '')} ${c.status}`),
      ['Radarr GET /api/v3/queue 200', `Radarr DELETE /api/v3/queue/${radarr.removals[0]?.id} 200`, 'Radarr POST /api/v3/command 201'],
    );
    assert.deepEqual(radarr.commands, [{ name: 'MoviesSearch', movieIds: [VIOLET.radarrId] }]);

    assert.deepEqual(await act(424242, 'retry'), { status: 404, body: { ok: false, error: 'no request 424242' } });
    const unknown = await act(id, 'explode');
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error, /^action: must be one of retry, search/);
    const searching = await act(id, 'search');
    assert.equal(searching.status, 400);
    assert.match(searching.body.error, /is downloading: retry it instead/);
  });

  it('mark-available and dismiss through the route, recorded with the reason; forget only with confirm', async () => {
    const other = movieBodies({ ...VIOLET, requestId: 3, tmdb: 3, radarrId: 33, title: 'Corrected', hash: 'A'.repeat(40) });
    const grabbed = await postHook(red.url, 'radarr', other.grab);
    const id = grabbed.body.requestId as number;
    const interaction = fixture('radarr-manual-interaction-required');
    interaction.movie = other.grab.movie;
    interaction.downloadId = other.grab.downloadId;
    await postHook(red.url, 'radarr', interaction);
    const dismissed = await act(id, 'dismiss', { reason: 'sorted out in Radarr' });
    assert.equal(dismissed.status, 200);
    assert.equal(dismissed.body.request.attention, null);
    const marked = await act(id, 'mark-available', { reason: 'plays from the NAS' });
    assert.equal(marked.body.request.state, 'AVAILABLE');
    const timeline = (await getJson(red.url, `/media-status/api/requests/${id}`)).body.timeline as any[];
    assert.deepEqual(
      timeline.slice(-2).map((e) => [e.source, e.event, e.detail.replace(/: .*/, '')]),
      [
        ['tracker', 'action', 'attention dismissed by api token (sorted out in Radarr)'],
        ['tracker', 'action', 'marked available (manual) by api token (plays from the NAS)'],
      ],
    );
    const unconfirmed = await act(id, 'forget');
    assert.equal(unconfirmed.status, 400);
    assert.equal((await getJson(red.url, `/media-status/api/requests/${id}`)).status, 200);
    const forgotten = await act(id, 'forget', { confirm: true });
    assert.deepEqual(forgotten.body, { ok: true, action: 'forget', request: null, calls: [] });
    assert.equal((await getJson(red.url, `/media-status/api/requests/${id}`)).status, 404);
  });
});
