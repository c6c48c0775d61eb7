import assert from 'node:assert/strict';
import { join } from 'node:path';
import { autoRetriedDownload, autoRetryKey, dryRunKey, recordedActions, removalKey } from '../../../lib/actions/keys';
import { StatusStore } from '../../../lib/store/store';
import { track, DEFAULT_TRACK_OPTIONS } from '../../../lib/tracker/track';
import { INTERSTELLAR, movieBodies } from '../../support/bodies';
import { hook } from '../../support/store';
import { tempDir } from '../../support/tmp';

/** What makes a recorded action one, read back as typed facts (see lib/actions/keys.ts). */

const dir = tempDir('mst-action-keys-');
const HASH = 'A'.repeat(40);

describe('recorded actions as typed facts', () => {
  it('an automatic retry names its download (a usenet id with colons too); a person’s retry and a dry run name none', () => {
    assert.equal(autoRetriedDownload(autoRetryKey(HASH, 2)), HASH);
    assert.equal(autoRetriedDownload(autoRetryKey('SAB:nzo:7', 1)), 'SAB:nzo:7');
    assert.equal(autoRetriedDownload('2026-12-05T07:00:00.000Z:abc'), undefined);
    assert.equal(autoRetriedDownload(dryRunKey(HASH)), undefined);
  });

  it('the store gives back each action with its key, of one action when asked; other facts are not actions', async () => {
    const store = await StatusStore.open(join(dir, 'keys.db'));
    try {
      const { request } = await hook(store, 'jellyseerr', movieBodies(INTERSTELLAR).approved);
      const record = async (action: 'retry' | 'keep' | 'dismiss', key?: string) =>
        track(
          store,
          { source: 'tracker', at: '2026-12-05T07:00:00.000Z', kind: 'action', requestId: request!.id, action, by: 'adept', episodes: [], detail: 'test', key },
          DEFAULT_TRACK_OPTIONS,
        );
      await record('retry', autoRetryKey(HASH, 1));
      await record('keep', removalKey('2026-12-01T00:00:00.000Z'));
      await record('dismiss');
      const all = await recordedActions(store, request!.id);
      assert.deepEqual(all.map((f) => f.action).sort(), ['dismiss', 'keep', 'retry'], 'the approval is a fact too, but not an action');
      assert.deepEqual(await recordedActions(store, request!.id, 'keep'), [{ action: 'keep', key: 'removed-2026-12-01T00:00:00.000Z' }]);
      const [retry] = await recordedActions(store, request!.id, 'retry');
      assert.equal(autoRetriedDownload(retry!.key), HASH);
    } finally {
      await store.close();
    }
  });
});
