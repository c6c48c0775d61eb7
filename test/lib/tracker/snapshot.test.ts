import assert from 'node:assert/strict';
import { toSnapshot, toSnapshotInTurns } from '../../../lib/tracker/snapshot';
import { LYCORIS, showBodies } from '../../support/bodies';
import { event, run } from '../../support/events';
import { FIXED_VIEW } from '../../support/snapshot';

describe('snapshot', () => {
  it("a long show's snapshot made over several turns is the one made at once, and lets other work run between", async () => {
    const b = showBodies({ ...LYCORIS, episodes: 2500 });
    const record = run([event('jellyseerr', b.approved), event('sonarr', b.grab()), event('sonarr', b.importFile(7))]);
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    const inTurns = await toSnapshotInTurns(record, FIXED_VIEW);
    assert.deepEqual(inTurns, toSnapshot(record, FIXED_VIEW));
    assert.equal(inTurns.episodes.length, 2500);
    assert.ok(otherWorkRan, 'work queued before it ran before it was done');
  });
});
