import assert from 'node:assert/strict';
import { MAX_EPISODES } from '../../../lib/events';
import { parseWebhook } from '../../../lib/services/webhooks';
import { normaliseShoko } from '../../../lib/services/shoko/events';
import { TIMELINE_LIMIT } from '../../../lib/store/timeline-script';
import { DEFAULT_TRACK_OPTIONS, track } from '../../../lib/tracker/track';
import { INTERSTELLAR, LYCORIS, movieBodies, showBodies, type ShowSpec } from '../../support/bodies';
import { nth } from '../../support/nth';
import { forEachStoreMode, hook } from '../../support/store';

/** What keeps a store from growing without end, and a show from stalling Node-RED. */

forEachStoreMode((open) => {
  describe('timelines are bounded', () => {
    it('a repeated identical entry is counted, not stored again', async () => {
      const store = await open();
      const m = movieBodies(INTERSTELLAR);
      // Each webhook a minute after the last: the repeats' times are given, never two in one millisecond.
      const minute = (n: number) => new Date(Date.parse('2026-06-01T12:00:00Z') + n * 60_000);
      await hook(store, 'radarr', m.grab, DEFAULT_TRACK_OPTIONS, minute(0));
      await hook(store, 'radarr', m.imported, DEFAULT_TRACK_OPTIONS, minute(1));
      // A Jellyfin library rescan adds the movie again and again, each time as a new item.
      for (const [i, item] of ['a', 'b', 'c'].entries())
        await hook(store, 'jellyfin', { ...m.jellyfin, ItemId: item.repeat(32) }, DEFAULT_TRACK_OPTIONS, minute(2 + i));
      const request = nth(await store.read.listRequests({ limit: 1 }));
      const timeline = await store.read.timeline(request.id);
      assert.deepEqual(
        timeline.map((t) => [t.event, t.count ?? 1]),
        [
          ['grabbed', 1],
          ['imported', 1],
          ['available', 3],
        ],
      );
      const repeated = nth(timeline, 2);
      assert.equal(repeated.detail, 'playable in Jellyfin');
      assert.deepEqual([repeated.at, repeated.lastAt], [minute(2).toISOString(), minute(4).toISOString()], 'the last of the repeats has its own time');
      await store.close();
    });

    it(`a request keeps at most ${TIMELINE_LIMIT} entries: the oldest progress entries go first, stage changes stay`, async () => {
      const store = await open();
      const show: ShowSpec = { ...LYCORIS, episodes: 600 };
      const b = showBodies(show);
      await hook(store, 'jellyseerr', b.approved);
      await hook(store, 'sonarr', b.grab());
      // 600 per-file imports: the first moves the stage (IMPORTING only once all are imported: as far as
      // the slowest), the others are progress within it.
      for (const n of b.numbers) await hook(store, 'sonarr', b.importFile(n));
      const request = nth(await store.read.listRequests({ limit: 1 }));
      assert.equal(request.state, 'IMPORTING');
      const timeline = await store.read.timeline(request.id);
      assert.equal(timeline.length, TIMELINE_LIMIT);
      assert.deepEqual(
        timeline.slice(0, 2).map((t) => t.event),
        ['approved', 'grabbed'],
        'the stage changes at the start are kept',
      );
      assert.equal(nth(timeline, 2).detail.startsWith('1 episode'), true);
      assert.equal(nth(timeline, TIMELINE_LIMIT - 1).state, 'IMPORTING', 'the newest entry is there');
      await store.close();
    });
  });

  describe('Shoko events kept for files not imported yet are bounded', () => {
    it('in bytes as well as in number: past 5 MB the oldest go', async () => {
      const store = await open();
      const name = (i: number) => `${String(i).padStart(5, '0')}-${'x'.repeat(3800)}.mkv`;
      const outcomes = await Promise.all(
        Array.from({ length: 1600 }, (_, i) => {
          const event = normaliseShoko(
            'ShokoEvent:FileHashed',
            { FileID: i + 1, ImportFolderID: 1, RelativePath: `/anime/${name(i)}`, CrossReferences: [] },
            new Date().toISOString(),
          );
          assert.ok(event.ok);
          return track(store, event.event);
        }),
      );
      assert.ok(outcomes.every((r) => r.outcome === 'pending'));
      const kept = await store.write((tx) => tx.takePending(Array.from({ length: 1600 }, (_, i) => name(i))));
      const bytes = kept.reduce((n: number, e) => n + JSON.stringify(e).length, 0);
      assert.ok(kept.length < 1600 && kept.length > 1000, `${kept.length} kept`);
      assert.ok(bytes <= 5 * 1024 * 1024, `${bytes} bytes kept`);
      assert.equal((kept.at(-1) as { fileId: number }).fileId, 1600, 'the newest is kept');
      assert.equal((kept[0] as { fileId: number }).fileId, 1600 - kept.length + 1, 'the oldest went first');
      await store.close();
    });
  });

  describe('a show has at most 50,000 episodes', () => {
    it('a grab that would take a show past the limit is refused with a 4xx reason and stores nothing', async () => {
      const store = await open();
      const show: ShowSpec = { ...LYCORIS, episodes: 10000 };
      const b = showBodies(show);
      const seasons = Array.from({ length: MAX_EPISODES / 10000 }, (_, i) => i + 1);
      for (const season of seasons) {
        const grab = b.grab();
        for (const e of grab.episodes) Object.assign(e, { seasonNumber: season, tvdbId: e.tvdbId + season * 100000 });
        grab.release.releaseTitle = `Long Show S${season} 1080p`;
        assert.equal((await hook(store, 'sonarr', grab)).outcome, 'changed');
      }
      const before = nth(await store.read.listRequests({ limit: 1 }));
      assert.equal(before.episodes.length, MAX_EPISODES);
      const one = b.grab([1]);
      Object.assign(one.episodes[0], { seasonNumber: seasons.length + 1, tvdbId: 1 });
      const parsed = parseWebhook(one, 'sonarr');
      assert.ok(parsed.ok);
      await assert.rejects(track(store, parsed.event), (err: Error & { statusCode?: number }) => {
        assert.equal(err.statusCode, 422);
        assert.match(err.message, /at most 50000 episodes/);
        return true;
      });
      const after = nth(await store.read.listRequests({ limit: 1 }));
      assert.deepEqual([after.episodes.length, after.updatedAt], [MAX_EPISODES, before.updatedAt]);
      assert.equal((await store.read.timeline(after.id)).length, seasons.length);
      await store.close();
    });
  });

  describe('forgetting finished requests (retention)', () => {
    it('forgets AVAILABLE and FAILED requests not changed since the cutoff, with their episodes and timeline; keeps the rest', async () => {
      const store = await open();
      const m = movieBodies(INTERSTELLAR);
      const finished = await hook(store, 'jellyseerr', m.available);
      const failed = await hook(store, 'jellyseerr', { ...movieBodies({ ...INTERSTELLAR, tmdb: 2, requestId: 2 }).pending, notification_type: 'MEDIA_FAILED' });
      const open1 = await hook(store, 'jellyseerr', movieBodies({ ...INTERSTELLAR, tmdb: 3, requestId: 3 }).pending);
      assert.deepEqual([finished.request?.state, failed.request?.state, open1.request?.state], ['AVAILABLE', 'FAILED', 'REQUESTED']);
      assert.deepEqual(await store.forgetFinished(new Date(Date.parse(finished.request!.updatedAt))), [], 'nothing older than the cutoff');
      const forgotten = await store.forgetFinished(new Date(Date.now() + 60000));
      assert.deepEqual(forgotten.sort(), [finished.request!.id, failed.request!.id].sort());
      assert.deepEqual(
        (await store.read.listRequests({ limit: 10 })).map((r) => r.id),
        [open1.request!.id],
      );
      assert.deepEqual(await store.read.timeline(finished.request!.id), []);
      // A forgotten request's media can be requested again: a new request, not an error.
      assert.equal((await hook(store, 'jellyseerr', m.pending)).outcome, 'changed');
      await store.close();
    });
  });
});
