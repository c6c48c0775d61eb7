import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FakeArr, FakeJellyseerr } from '../../fakes/arr-apis';
import { callsOf, helper, lastStatus, loadFlow, nextMessage, placed, useSettings } from '../../support/helper';
import { tempDir } from '../../support/tmp';

/** media-sync and its server config nodes in a real runtime: statuses, credentials, the report on output 2. */

const dir = tempDir();

describe('media-sync', () => {
  let jellyseerr: FakeJellyseerr;
  let radarr: FakeArr;
  beforeEach(async () => {
    useSettings({ userDir: dir });
    jellyseerr = await new FakeJellyseerr().start();
    radarr = await new FakeArr('radarr').start();
  });
  afterEach(async () => {
    await helper.unload();
    await Promise.all([jellyseerr.stop(), radarr.stop()]);
  });
  after(() => helper.settings({}));

  const flow = (servers: Record<string, unknown>[], refs: Record<string, string>) =>
    placed([
      { id: 'tab', type: 'tab' },
      { id: 'store', type: 'status-store', path: join(dir, `${Object.keys(refs).join('-') || 'none'}-${Date.now()}.db`) },
      ...(servers as { id: string; type: string }[]),
      {
        id: 'sync',
        z: 'tab',
        type: 'media-sync',
        store: 'store',
        minutes: '600',
        historyDays: '90',
        firstAfterSeconds: '600',
        ...refs,
        wires: [['changes'], ['report']],
      },
      { id: 'changes', z: 'tab', type: 'helper', wires: [] },
      { id: 'report', z: 'tab', type: 'helper', wires: [] },
    ]);

  it('with no server URL it is grey and idle, and a message passes with a report that says no source is configured', async () => {
    await loadFlow(flow([{ id: 'js', type: 'jellyseerr-server', url: '${NOT_SET}', apiKeyEnv: '' }], { jellyseerr: 'js' }));
    assert.deepEqual(lastStatus(helper.getNode('sync')), { fill: 'grey', shape: 'ring', text: 'media-sync.status.notConfigured' });
    const report = nextMessage(helper.getNode('report'));
    helper.getNode('sync').receive({ payload: 'now' });
    assert.deepEqual((await report).payload, { ok: false, sources: {}, error: 'media-sync.errors.noSource' });
  });

  it('the API key is a credential sent as X-Api-Key; a refused key is a red status naming the source; the others sync', async () => {
    await loadFlow(
      flow(
        [
          { id: 'js', type: 'jellyseerr-server', url: jellyseerr.url, apiKeyEnv: '' },
          { id: 'rs', type: 'arr-server', kind: 'radarr', instance: '', is4k: false, url: radarr.url, apiKeyEnv: '' },
        ],
        { jellyseerr: 'js', radarr: 'rs' },
      ),
      { js: { apiKey: 'jellyseerr-key' }, rs: { apiKey: 'not-the-key' } },
    );
    const report = nextMessage(helper.getNode('report'));
    helper.getNode('sync').receive({ payload: 'now' });
    const { payload } = await report;
    assert.equal(payload.ok, false);
    assert.equal(payload.sources.jellyseerr.ok, true);
    assert.match(payload.sources.radarr.error, /Radarr \/api\/v3\/(queue|history\/since): unauthorised \(401\): check the API key/);
    const status = lastStatus(helper.getNode('sync'));
    assert.equal(status.fill, 'red');
    // Short enough for what to check to show: the address is in the log line, not the status.
    assert.equal(status.text, 'radarr failed: Radarr: unauthorised (401): check the API key');
    const again = nextMessage(helper.getNode('report'));
    helper.getNode('sync').receive({ payload: 'now' });
    assert.equal((await again).payload.sources.radarr.ok, false);
    assert.deepEqual(
      callsOf(helper.getNode('sync'), 'error').map((c) => c.args[0]),
      ['media-sync.errors.source'],
      'one line in the log for the problem, not one per sync',
    );
    const logged = JSON.stringify([...callsOf(helper.getNode('sync'), 'error'), ...callsOf(helper.getNode('sync'), 'status')].map((c) => c.args));
    assert.ok(!logged.includes('not-the-key') && !logged.includes('jellyseerr-key'), 'no key in a status or a log line');
  });

  it('every source ok: a green status with the time and how many synced', async () => {
    await loadFlow(flow([{ id: 'js', type: 'jellyseerr-server', url: jellyseerr.url, apiKeyEnv: '' }], { jellyseerr: 'js' }), {
      js: { apiKey: 'jellyseerr-key' },
    });
    const report = nextMessage(helper.getNode('report'));
    helper.getNode('sync').receive({ payload: 'now' });
    assert.equal((await report).payload.ok, true);
    const status = lastStatus(helper.getNode('sync'));
    assert.equal(status.fill, 'green');
    assert.equal(status.text, 'media-sync.status.synced');
  });
});
