import assert from 'node:assert/strict';
import { join } from 'node:path';
import { StatusStore } from '../../lib/store/store';
import { INTERSTELLAR, movieBodies } from '../support/bodies';
import { callsOf, helper, lastStatus, loadFlow, nextMessage, placed, storeOf, useSettings } from '../support/helper';
import { makeReadOnly } from '../support/read-only';
import { hook } from '../support/store';
import { tempDir } from '../support/tmp';

/** Config nodes in a real runtime: a store that cannot work, a service URL that would leak, the stuck timer. */

const dir = tempDir();

describe('config nodes', () => {
  beforeEach(() => useSettings({ userDir: dir }));
  afterEach(() => helper.unload());
  after(() => helper.settings({}));

  it('a read-only store: its users show "read-only: <path>" in red, and the store logs it once', async () => {
    const file = join(dir, 'ro.db');
    await (await StatusStore.open(file)).close();
    const undo = makeReadOnly(file);
    try {
      await loadFlow(
        placed([
          { id: 'tab', type: 'tab' },
          { id: 'store', type: 'status-store', path: file },
          { id: 'state', z: 'tab', type: 'episode-state', store: 'store', wires: [[], [], []] },
          { id: 'query', z: 'tab', type: 'status-query', store: 'store', wires: [['out']] },
          { id: 'out', z: 'tab', type: 'helper', wires: [] },
        ]),
      );
      await assert.rejects(storeOf(), new Error(`read-only: ${file}`));
      for (const id of ['state', 'query']) assert.deepEqual(lastStatus(helper.getNode(id)), { fill: 'red', shape: 'ring', text: `read-only: ${file}` }, id);
      assert.equal(callsOf(helper.getNode('store'), 'error').length, 1);
      // status-query answers a reader itself: 500 with the reason, not silence.
      const answer = nextMessage(helper.getNode('out'));
      helper.getNode('query').receive({ payload: {} });
      const msg = await answer;
      assert.deepEqual([msg.statusCode, msg.payload], [500, { ok: false, error: `read-only: ${file}` }]);
    } finally {
      undo();
    }
  });

  it('a service URL with a user name and password is refused at deploy; the password shows nowhere', async () => {
    await loadFlow(
      placed([
        { id: 'tab', type: 'tab' },
        { id: 'store', type: 'status-store', path: join(dir, 'url.db') },
        { id: 'qs', type: 'qbittorrent-server', url: 'http://admin:hunter2@qbit:8080', usernameEnv: '', passwordEnv: '' },
        { id: 'js', type: 'jellyfin-server', url: 'https://me:hunter2@jellyfin.local', apiKeyEnv: '' },
        { id: 'ss', type: 'shoko-server', url: 'http://me:hunter2@shoko:8111', apiKeyEnv: '' },
        { id: 'qp', z: 'tab', type: 'qbit-progress', server: 'qs', store: 'store', interval: '0', wires: [[], []] },
        { id: 'jv', z: 'tab', type: 'jellyfin-verify', server: 'js', store: 'store', interval: '0', wires: [[], []] },
        { id: 'in', z: 'tab', type: 'shoko-in', server: 'ss', wires: [[], []] },
      ]),
    );
    for (const id of ['qp', 'jv', 'in']) {
      const status = lastStatus(helper.getNode(id));
      assert.equal(status.fill, 'red', id);
      assert.match(String(status.text), /URL carries a user name or password/, id);
    }
    const said = JSON.stringify(
      ['qs', 'js', 'ss', 'qp', 'jv', 'in'].flatMap((id) =>
        ['error', 'warn', 'log', 'status'].flatMap((m) => callsOf(helper.getNode(id), m as 'error').map((c) => c.args)),
      ),
    );
    assert.equal(said.includes('hunter2'), false);
    assert.ok(said.includes('put them in the node'));
  });

  it("the store's stuck findings come out of one episode-state only, the first deployed", async () => {
    const flow = placed([
      { id: 'tab', type: 'tab' },
      { id: 'store', type: 'status-store', path: join(dir, 'stuck.db'), stuckCheckSeconds: '1', stuckMinutes: 'APPROVED=1' },
      { id: 'first', z: 'tab', type: 'episode-state', store: 'store', wires: [[], ['a'], []] },
      { id: 'second', z: 'tab', type: 'episode-state', store: 'store', wires: [[], ['b'], []] },
      { id: 'a', z: 'tab', type: 'helper', wires: [] },
      { id: 'b', z: 'tab', type: 'helper', wires: [] },
    ]);
    await loadFlow(flow);
    const store = await storeOf();
    // Approved two minutes ago: stuck past APPROVED=1.
    const old = movieBodies(INTERSTELLAR);
    const approved = await hook(store, 'jellyseerr', old.approved);
    await store.write(async (tx) => {
      const record = (await tx.load(approved.request!.id))!;
      await tx.update(record, { ...record, progressAt: new Date(Date.now() - 120_000).toISOString() }, null, []);
    });
    let second = 0;
    helper.getNode('b').on('input', () => second++);
    const flagged = await nextMessage(helper.getNode('a'));
    assert.match(flagged.payload.summary, /stuck in APPROVED/);
    // Messages sent together are delivered together: by the turn after the first arrived, a second would have.
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(second, 0, 'the second node sent nothing');
  });
});
