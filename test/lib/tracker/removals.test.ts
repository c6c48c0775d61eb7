import assert from 'node:assert/strict';
import type { MediaEvent } from '../../../lib/events';
import { stateChangeOf } from '../../../lib/tracker/messages';
import { FIXED_VIEW, snapshotOf } from '../../support/snapshot';
import { track } from '../../../lib/tracker/track';
import { LYCORIS, VIOLET, movieBodies, showBodies } from '../../support/bodies';
import { clone, fixture } from '../../support/fixtures';
import { nth } from '../../support/nth';
import { forEachStoreMode, hook } from '../../support/store';

/** Deletions as state (removedAt), and episodes becoming available as news, through the whole track path. */

forEachStoreMode((open) => {
  describe('deletions', () => {
    const v = movieBodies(VIOLET);
    const s = showBodies(LYCORIS);

    it('Radarr MovieFileDelete removes the movie (who and why in the timeline); it leaves ?active=true; a new grab brings it back', async () => {
      const store = await open();
      for (const body of [v.approved]) await hook(store, 'jellyseerr', body);
      await hook(store, 'radarr', v.grab);
      let result = await hook(store, 'radarr', fixture('radarr-movie-file-delete'));
      assert.ok(result.request?.removedAt);
      assert.equal(snapshotOf(result.request).removedAt, result.request.removedAt);
      assert.deepEqual(snapshotOf(result.request).waiting, { code: 'deleted', text: 'deleted', since: result.request.removedAt });
      assert.equal(snapshotOf(result.request).eta?.at, null, 'nothing will come of a deleted request');
      const timeline = await store.read.timeline(result.request.id);
      assert.match(timeline.at(-1)?.detail ?? '', /^file deleted: \/data\/anime\/movies\/Violet Evergarden.*\.mkv \(manual\)$/);
      assert.equal(timeline.at(-1)?.source, 'radarr');
      assert.deepEqual(await store.read.listRequests({ activeOnly: true, limit: 10 }), []);

      const again = clone(v.grab);
      again.downloadId = 'ABCDEF0000000000000000000000000000000000';
      result = await hook(store, 'radarr', again);
      assert.equal(result.request?.removedAt, null);
      assert.equal((await store.read.listRequests({ activeOnly: true, limit: 10 })).length, 1);
      await store.close();
    });

    it('a file deleted because of an upgrade is not a removal', async () => {
      const store = await open();
      await hook(store, 'radarr', v.grab);
      const upgrade = clone(fixture('radarr-movie-file-delete'));
      upgrade.deleteReason = 'upgrade';
      const result = await hook(store, 'radarr', upgrade);
      assert.equal(result.request?.removedAt, null);
      assert.match((await store.read.timeline(result.request!.id)).at(-1)?.detail ?? '', /^upgrade: file deleted/);
      await store.close();
    });

    it('Sonarr EpisodeFileDelete removes its episode; SeriesDelete removes them all and the request', async () => {
      const store = await open();
      await hook(store, 'sonarr', s.grab());
      let result = await hook(store, 'sonarr', fixture('sonarr-episode-file-delete'));
      const e1 = result.request!.episodes.find((e) => e.episode === 1)!;
      assert.ok(e1.removedAt);
      assert.equal(result.request!.episodes.filter((e) => e.removedAt).length, 1);
      assert.equal(result.request!.removedAt, null, 'twelve episodes are still there');
      result = await hook(store, 'sonarr', fixture('sonarr-series-delete'));
      assert.ok(result.request!.episodes.every((e) => e.removedAt));
      assert.ok(result.request!.removedAt);
      assert.equal(snapshotOf(result.request!).episodes[0]?.removedAt, e1.removedAt, 'the first removal is kept');
      await store.close();
    });

    it('a Jellyfin ItemDeleted removes the movie it names by its provider ids', async () => {
      const store = await open();
      await hook(store, 'jellyseerr', v.approved);
      await hook(store, 'radarr', v.grab);
      await hook(store, 'radarr', v.imported);
      await hook(store, 'jellyfin', v.jellyfin);
      const deleted = { ...clone(v.jellyfin), NotificationType: 'ItemDeleted' };
      const result = await hook(store, 'jellyfin', deleted);
      assert.equal(result.outcome, 'changed');
      assert.ok(result.request?.removedAt);
      assert.match((await store.read.timeline(result.request.id)).at(-1)?.detail ?? '', /^deleted from Jellyfin \(removed from the Jellyfin library\)$/);
      await store.close();
    });

    it('Shoko FileDeleted removes the episode that held the file', async () => {
      const store = await open();
      await hook(store, 'sonarr', s.grab([1, 2]));
      const imported = await hook(store, 'sonarr', s.importFile(1));
      const path = imported.request!.episodes.find((e) => e.episode === 1)!.finalPath!;
      const gone: MediaEvent = {
        source: 'shoko',
        at: new Date().toISOString(),
        kind: 'shoko-file',
        name: 'FileDeleted',
        action: 'gone',
        fileId: 9,
        importFolderId: 1,
        relativePath: path.split('/').slice(-3).join('/'),
        crossReferences: [],
      };
      const result = await track(store, gone);
      assert.ok(result.request?.episodes.find((e) => e.episode === 1)?.removedAt);
      assert.equal(result.request?.episodes.find((e) => e.episode === 2)?.removedAt, null);
      await store.close();
    });
  });

  describe('episodes becoming available are news', () => {
    const s = showBodies(LYCORIS);

    it('several episodes in one event are one message listing them; the state-change output sends it even when the state stays', async () => {
      const store = await open();
      await hook(store, 'sonarr', s.grab([1, 2, 3, 4, 5]));
      await hook(store, 'sonarr', s.importComplete([1, 2, 3, 4, 5]));
      const one = await hook(store, 'jellyfin', s.jellyfinEpisode(2));
      const change = stateChangeOf(one, FIXED_VIEW);
      assert.ok(change);
      assert.equal(change.payload.from, change.payload.to, 'the request is still IMPORTING');
      assert.deepEqual(change.payload.episodes, [{ season: 1, episode: 2, title: nth(one.request!.episodes, 1).title }]);
      assert.equal(change.payload.summary, 'Lycoris Recoil: S01E02 is available (1/5)');

      const all = await hook(store, 'jellyseerr', s.available);
      const last = stateChangeOf(all, FIXED_VIEW);
      assert.ok(last);
      assert.deepEqual(
        last.payload.episodes.map((e) => e.episode),
        [1, 3, 4, 5],
      );
      assert.equal(last.payload.to, 'AVAILABLE');
      assert.match(last.payload.summary, /^Lycoris Recoil \(2022\): 5\/5 episodes available$/);
      assert.ok(all.request!.episodes.every((e) => e.availableAt));
      await store.close();
    });
  });
});
