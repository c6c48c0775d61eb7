import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreKeeper, type KeeperState } from '../../../lib/store/keeper';
import { StatusStore } from '../../../lib/store/store';
import { movieBodies, INTERSTELLAR } from '../../support/bodies';
import { makeReadOnly } from '../../support/read-only';
import { hook } from '../../support/store';
import { tempDir } from '../../support/tmp';

/** A store that cannot work says so when it opens, and comes back once the file is fixed. */

describe('store: opening', () => {
  const dir = tempDir();

  it('a read-only database file is an error at open, "read-only: <path>", not 500s on every write later', async () => {
    const file = join(dir, 'ro.db');
    await (await StatusStore.open(file)).close();
    const undo = makeReadOnly(file);
    try {
      await assert.rejects(StatusStore.open(file), new Error(`read-only: ${file}`));
    } finally {
      undo();
    }
  });

  it(':memory: is refused with the reason (its reader would be a second, empty database)', async () => {
    await assert.rejects(StatusStore.open(':memory:'), /':memory:' cannot hold the status: give the status-store a file/);
  });

  it("a directory or a corrupt file in the database's place is an error at open", async () => {
    mkdirSync(join(dir, 'a-directory.db'));
    await assert.rejects(StatusStore.open(join(dir, 'a-directory.db')), /SQLITE_CANTOPEN/);
    writeFileSync(join(dir, 'corrupt.db'), 'this is not a database'.repeat(200));
    await assert.rejects(StatusStore.open(join(dir, 'corrupt.db')), /SQLITE_NOTADB/);
  });

  it('the keeper retries a failed open with backoff; fixing the file brings the store back', async () => {
    const file = join(dir, 'comes-back.db');
    await (await StatusStore.open(file)).close();
    const undo = makeReadOnly(file);
    const keeper = new StoreKeeper(file, { retry: { initialMs: 20, maxMs: 80 } });
    const states: KeeperState[] = [];
    keeper.on('state', (state) => states.push(state));
    try {
      await assert.rejects(keeper.store(), new Error(`read-only: ${file}`));
      // It keeps trying, with longer waits, and says why each time.
      while (states.filter((s) => s.status === 'failed').length < 3) await once(keeper, 'state');
      const waits = states.flatMap((s) => (s.status === 'failed' ? [s.retryInMs] : []));
      assert.deepEqual(waits.slice(0, 3), [20, 40, 80]);
      await assert.rejects(keeper.store(), /read-only/, 'while it cannot open, store() fails at once');
    } finally {
      undo();
    }
    const [store] = (await once(keeper, 'open')) as [StatusStore];
    assert.equal(keeper.state.status, 'open');
    assert.equal((await hook(await keeper.store(), 'jellyseerr', movieBodies(INTERSTELLAR).pending)).outcome, 'changed');
    assert.equal(store, await keeper.store());
    await keeper.close();
    assert.equal(keeper.state.status, 'closed');
  });

  it('closing waits for reads under way and held work; a read after it is refused, never an uncaught error', async () => {
    const store = await StatusStore.open(join(dir, 'closing.db'));
    await hook(store, 'jellyseerr', movieBodies(INTERSTELLAR).pending);
    const underWay = store.read.getRequest(1);
    // Two reads that belong together (as a publish of every request): the second starts after close was called.
    let releaseHeld!: () => void;
    const gate = new Promise<void>((resolve) => (releaseHeld = resolve));
    const held = store.hold(async () => {
      const first = await store.read.getRequest(1);
      await gate;
      return [first, await store.read.timeline(1)] as const;
    });
    const closed = store.close();
    releaseHeld();
    assert.equal((await underWay)?.title, 'Interstellar');
    const [first, timeline] = await held;
    assert.equal(first?.id, 1);
    assert.equal(timeline.length, 1);
    await closed;
    await assert.rejects(store.read.getRequest(1), new Error('the database is closed'));
    await assert.rejects(
      store.hold(async () => undefined),
      new Error('the status store is closed'),
    );
  });
});
