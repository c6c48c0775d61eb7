import assert from 'node:assert/strict';
import { StateChangeSchema, stateChangesOf } from '../../../lib/tracker/messages';
import { toSnapshot } from '../../../lib/tracker/snapshot';
import type { Outlook } from '../../../lib/tracker/outlook';
import { INTERSTELLAR, LYCORIS, movieJourney, showBodies } from '../../support/bodies';
import { forEachStoreMode, hook } from '../../support/store';
import { FIXED_VIEW } from '../../support/snapshot';

const outlook = { view: async () => FIXED_VIEW } as unknown as Outlook;

describe('state changes', () => {
  forEachStoreMode((open) => {
    it('the snapshot a change carries is the request as it committed, whenever it is read', async () => {
      const store = await open();
      try {
        const [requested, approved, grabbed] = movieJourney(INTERSTELLAR);
        const first = await hook(store, ...requested!);
        const [change] = await stateChangesOf([first], outlook);
        assert.ok(change);
        const expected = toSnapshot(first.request!, FIXED_VIEW);
        // Later events change the stored request before anyone reads the first change's snapshot.
        await hook(store, ...approved!);
        await hook(store, ...grabbed!);
        assert.equal((await store.read.getRequest(first.request!.id))?.state, 'GRABBING');
        assert.equal(change.payload.to, 'REQUESTED');
        assert.deepEqual(change.payload.request, expected);
        assert.equal(change.payload.request.state, 'REQUESTED');
        // As data: what a flow's JSON, a clone or a schema check sees.
        const json = JSON.parse(JSON.stringify(change.payload));
        assert.deepEqual(json.request, JSON.parse(JSON.stringify(expected)));
        assert.deepEqual(Object.keys(json), ['request', 'from', 'to', 'summary', 'episodes']);
        assert.deepEqual(structuredClone(change.payload).request, expected);
        assert.ok(StateChangeSchema.safeParse(change.payload).success);
        // A flow may replace it.
        change.payload.request = { ...expected, title: 'Replaced' };
        assert.equal(change.payload.request.title, 'Replaced');
      } finally {
        await store.close();
      }
    });

    it("a long show's snapshot is made with the change, over several turns", async () => {
      const store = await open();
      try {
        const show = showBodies({ ...LYCORIS, episodes: 1500 });
        await hook(store, 'jellyseerr', show.approved);
        const grab = await hook(store, 'sonarr', show.grab());
        const [change] = await stateChangesOf([grab], outlook);
        assert.ok(change);
        const descriptor = Object.getOwnPropertyDescriptor(change.payload, 'request');
        assert.ok(descriptor && 'value' in descriptor, 'a data property, made already');
        assert.deepEqual(change.payload.request, toSnapshot(grab.request!, FIXED_VIEW));
      } finally {
        await store.close();
      }
    });
  });
});
