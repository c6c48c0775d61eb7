import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StatusStore } from '../../../lib/store/store';
import { MIGRATIONS } from '../../../lib/store/schema-steps';
import { Connection } from '../../../lib/store/sqlite';
import { snapshotOf } from '../../support/snapshot';
import { track, DEFAULT_TRACK_OPTIONS } from '../../../lib/tracker/track';
import { INTERSTELLAR, LYCORIS, SEVERANCE, VIOLET, movieBodies, showBodies } from '../../support/bodies';
import { content, event, run } from '../../support/events';
import { clone, fixture, type Body } from '../../support/fixtures';
import { tempDir } from '../../support/tmp';
import type { WebhookSource } from '../../../lib/services/webhooks';
import { parseWebhook } from '../../../lib/services/webhooks';
import { nth } from '../../support/nth';
import { forEachStoreMode, hook, hooks } from '../../support/store';

const dir = tempDir();
const send = hook;

forEachStoreMode((openStore, mode) => {
  describe('store', () => {
    it('opens in WAL mode at the current schema version and removes its WAL files on close', async () => {
      const file = join(dir, `${mode.writeBehind ? 'batched' : 'direct'}-wal.db`);
      const store = await StatusStore.open(file, mode);
      await send(store, 'jellyseerr', fixture('jellyseerr-media-pending'));
      assert.ok(existsSync(`${file}-wal`));
      await store.close();
      assert.equal(existsSync(`${file}-wal`), false);
      const raw = await Connection.open(file);
      assert.deepEqual(await raw.get('PRAGMA journal_mode'), { journal_mode: 'wal' });
      assert.deepEqual(await raw.get('PRAGMA user_version'), { user_version: MIGRATIONS.length });
      await raw.close();
    });

    it('refuses a database from a newer version of the package', async () => {
      const file = join(dir, `${mode.writeBehind ? 'batched' : 'direct'}-future.db`);
      const raw = await Connection.open(file);
      await raw.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
      await raw.close();
      await assert.rejects(StatusStore.open(file, mode), /newer than this package knows/);
    });

    it('keeps everything across a close and reopen', async () => {
      const file = join(dir, `${mode.writeBehind ? 'batched' : 'direct'}-reopen.db`);
      let store = await StatusStore.open(file, mode);
      const b = showBodies(LYCORIS);
      await send(store, 'jellyseerr', b.approved);
      await send(store, 'sonarr', b.grab());
      const before = await store.read.listRequests({ limit: 10 });
      await store.close();
      store = await StatusStore.open(file, mode);
      assert.deepEqual(await store.read.listRequests({ limit: 10 }), before);
      assert.equal((await store.read.timeline(nth(before).id)).length, 2);
      await store.close();
    });

    it('a write that arrives just as the queue empties is still run (awaited writes back to back)', async () => {
      const store = await openStore();
      const b = showBodies(LYCORIS);
      for (const body of [b.approved, b.grab(), b.importFile(1), b.importFile(2)]) {
        const parsed = parseWebhook(body, body.eventType ? 'sonarr' : 'jellyseerr');
        assert.ok(parsed.ok);
        assert.equal((await track(store, parsed.event)).outcome, 'changed');
      }
      for (let i = 0; i < 50; i++) await store.write(async () => i);
      await store.close();
    });

    it('a failing write job is rolled back alone; the jobs around it commit', async () => {
      const store = await openStore();
      const b = movieBodies(INTERSTELLAR);
      const results = await Promise.allSettled([
        send(store, 'jellyseerr', b.pending),
        store.write(async (tx) => {
          await tx.create((await tx.load(1))!, { at: 'x', source: 'radarr', event: 'x', state: 'FAILED', detail: 'x' }, []);
          throw new Error('boom');
        }),
        send(store, 'radarr', b.grab),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      const list = await store.read.listRequests({ limit: 10 });
      assert.equal(list.length, 1, 'the failed job inserted nothing');
      assert.equal(nth(list).state, 'GRABBING');
      assert.equal((await store.read.timeline(nth(list).id)).length, 2);
      await store.close();
    });

    it("another process's commit while a batch runs: nothing it wrote is overwritten by what the batch had read", async () => {
      const store = await openStore();
      const b = movieBodies(INTERSTELLAR);
      await send(store, 'jellyseerr', b.pending);
      const other = await Connection.open(store.file);
      await other.exec('PRAGMA busy_timeout = 0');
      let otherWrote: string | undefined;
      // Queued together: one batch, whose grab updates the request it has cached from before.
      await Promise.all([
        store.write(async () => {
          otherWrote ??= await other
            // Forgetting where the title came from lets the grab's title replace it, if the batch sees this.
            .exec("UPDATE requests SET requested_by = 'kana', title = 'Renamed', info_source = NULL WHERE id = 1")
            .then(() => 'committed')
            .catch((err: Error) => err.message);
        }),
        send(store, 'radarr', b.grab),
      ]);
      await other.close();
      const [request] = await store.read.listRequests({ limit: 10 });
      assert.equal(request?.state, 'GRABBING');
      if (mode.writeBehind) {
        // The batch read before it began: it saw the other commit when it did, and ran again.
        assert.equal(otherWrote, 'committed');
        assert.equal(request?.requestedBy, 'kana');
        assert.equal(request?.title, INTERSTELLAR.title);
      } else {
        // The batch held the write lock from its start: the other process had to wait.
        assert.match(otherWrote ?? '', /SQLITE_BUSY/);
        assert.equal(request?.requestedBy, 'adept');
        assert.equal(request?.title, INTERSTELLAR.title);
      }
      await store.close();
    });

    it("another process's new request is found by the next event: what the writer keeps in memory is read again", async () => {
      const store = await openStore();
      const first = { ...INTERSTELLAR, tmdb: 55, requestId: 55, imdb: 'tt0000055', title: 'First' };
      await send(store, 'jellyseerr', movieBodies(first).pending);
      // A second Node-RED on the same file adds requests the first has never seen (and forgets two, so
      // the ids the first would give next are free: only reading again keeps it from duplicates).
      const other = await StatusStore.open(store.file, mode);
      const b = movieBodies(INTERSTELLAR);
      for (const id of [66, 67]) await send(other, 'jellyseerr', movieBodies({ ...first, tmdb: id, requestId: id, imdb: `tt00000${id}` }).pending);
      await send(other, 'jellyseerr', b.pending);
      assert.deepEqual([await other.forget(2), await other.forget(3)], [true, true]);
      await other.close();
      await Promise.all([
        send(store, 'radarr', b.grab),
        send(store, 'jellyseerr', movieBodies({ ...INTERSTELLAR, tmdb: 77, requestId: 77, imdb: 'tt0000077' }).pending),
      ]);
      const requests = await store.read.listRequests({ limit: 10 });
      assert.deepEqual(
        requests.map((r) => [r.id, r.ids.tmdb, r.state]),
        [
          [5, 77, 'REQUESTED'],
          [4, INTERSTELLAR.tmdb, 'GRABBING'],
          [1, first.tmdb, 'REQUESTED'],
        ],
      );
      await store.close();
    });

    it('a batch whose COMMIT fails is replayed one job per transaction: the failing job alone is rejected', async () => {
      const store = await openStore();
      const m = movieBodies(INTERSTELLAR);
      let commits = 0;
      store.on('committed', () => commits++);
      // Nothing reads after the bad write, so with write-behind SQLite first sees it in the COMMIT's script.
      const results = await Promise.allSettled([
        send(store, 'jellyseerr', m.pending),
        store.write(async (tx) =>
          tx.create(
            { ...(await tx.load(1))!, ids: { ...(await tx.load(1))!.ids, tmdb: 1 } },
            { at: null as unknown as string, source: 'radarr', event: 'x', state: 'FAILED', detail: 'x' },
            [],
          ),
        ),
        ...Array.from({ length: 19 }, (_, i) => send(store, 'jellyseerr', movieBodies({ ...INTERSTELLAR, tmdb: 100 + i, requestId: 100 + i }).pending)),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', ...Array<string>(19).fill('fulfilled')],
      );
      assert.match(String((results[1] as PromiseRejectedResult).reason), /NOT NULL constraint failed: timeline.at/);
      assert.equal((await store.read.listRequests({ limit: 100 })).length, 20, 'the 20 good events are stored');
      assert.equal(commits, 20, 'one transaction each after the shared one failed');
      await store.close();
    });

    it('a long transaction goes to SQLite in several scripts and is still all or nothing', async () => {
      const store = await openStore();
      const b = showBodies({ ...LYCORIS, episodes: 3000 });
      const record = run([event('jellyseerr', b.approved), event('sonarr', b.grab())]);
      const exec = Connection.prototype.exec;
      let scripts = 0;
      Connection.prototype.exec = function (this: Connection, sql: string) {
        scripts++;
        return exec.call(this, sql);
      };
      try {
        // Its episodes come before its timeline entry, whose missing time SQLite refuses.
        const failed = store.write((tx) =>
          tx.create(record, { at: null as unknown as string, source: 'sonarr', event: 'x', state: 'GRABBING', detail: 'x' }, []),
        );
        await assert.rejects(failed, /NOT NULL constraint failed: timeline.at/);
      } finally {
        Connection.prototype.exec = exec;
      }
      assert.ok(scripts >= 3, `BEGIN, the episodes in more than one script, the rest (${scripts})`);
      assert.deepEqual(await store.read.listRequests({ limit: 10 }), []);
      assert.equal((await send(store, 'sonarr', b.grab())).request?.episodes.length, 3000, 'the next transaction starts clean');
      await store.close();
    });

    it('a job whose SQL fails when its batch commits is replayed alone and rejected; the others commit', async () => {
      const store = await openStore();
      const b = movieBodies(INTERSTELLAR);
      await send(store, 'jellyseerr', b.pending);
      let commits = 0;
      store.on('committed', () => commits++);
      const results = await Promise.allSettled([
        send(store, 'jellyseerr', b.approved),
        // A timeline entry without a time breaks NOT NULL: only SQLite sees it, when the writes are sent.
        store.write(async (tx) =>
          tx.create((await tx.load(1))!, { at: null as unknown as string, source: 'radarr', event: 'x', state: 'FAILED', detail: 'x' }, []),
        ),
        send(store, 'radarr', b.grab),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.match(String((results[1] as PromiseRejectedResult).reason), /NOT NULL constraint failed: timeline.at/);
      const list = await store.read.listRequests({ limit: 10 });
      assert.deepEqual(
        list.map((r) => [r.id, r.state]),
        [[1, 'GRABBING']],
        'the failed job left nothing, not even its request row',
      );
      assert.deepEqual(
        (await store.read.timeline(1)).map((t) => t.state),
        ['REQUESTED', 'APPROVED', 'GRABBING'],
      );
      assert.equal(commits, 2, 'the batch was rolled back and replayed one job per transaction');
      await store.close();
    });

    it('events that share one commit see each other: two interleaved journeys end as their ordered runs', async () => {
      const movies = [movieBodies(INTERSTELLAR), movieBodies(VIOLET)];
      const journey = (m: ReturnType<typeof movieBodies>): [WebhookSource, Body][] => [
        ['jellyseerr', m.pending],
        ['jellyseerr', m.approved],
        ['radarr', m.grab],
        ['radarr', m.imported],
        ['jellyfin', m.jellyfin],
        ['jellyseerr', m.available],
      ];
      const ordered = await openStore();
      const outcomes: string[][] = [];
      for (const m of movies) {
        const run: string[] = [];
        for (const [source, body] of journey(m)) run.push((await send(ordered, source, body)).outcome);
        outcomes.push(run);
      }
      const together = await openStore();
      let commits = 0;
      together.on('committed', () => commits++);
      const [a, b] = [journey(nth(movies, 0)), journey(nth(movies, 1))];
      const results = await Promise.all(a.flatMap((hook, i) => [hook, nth(b, i)]).map(([source, body]) => send(together, source, body)));
      assert.equal(commits, mode.writeBehind ? 1 : 12, mode.writeBehind ? 'all twelve in one transaction' : 'one transaction each');
      assert.deepEqual(
        results.map((r) => r.outcome),
        nth(outcomes).flatMap((outcome, i) => [outcome, nth(nth(outcomes, 1), i)]),
      );
      const snapshots = async (store: StatusStore) =>
        Promise.all(
          (await store.read.listRequests({ limit: 10 })).map(async (r) => ({
            ...content(snapshotOf(r)),
            timeline: (await store.read.timeline(r.id)).map((t) => [t.source, t.event, t.state]),
          })),
        );
      const expected = await snapshots(ordered);
      assert.deepEqual(
        (await ordered.read.listRequests({ limit: 10 })).map((r) => r.state),
        ['AVAILABLE', 'AVAILABLE'],
      );
      assert.deepEqual(
        new Set((await snapshots(together)).map((r) => JSON.stringify({ ...r, id: 0 }))),
        new Set(expected.map((r) => JSON.stringify({ ...r, id: 0 }))),
      );
      await ordered.close();
      await together.close();
    });

    it("two stores on one file see each other's commits (the write cache is dropped when another connection wrote)", async () => {
      const file = join(dir, `${mode.writeBehind ? 'batched' : 'direct'}-shared.db`);
      const a = await StatusStore.open(file, mode);
      const b = await StatusStore.open(file, mode);
      const movie = movieBodies(INTERSTELLAR);
      assert.equal((await send(a, 'jellyseerr', movie.pending)).request?.state, 'REQUESTED');
      assert.equal((await send(b, 'jellyseerr', movie.approved)).request?.state, 'APPROVED');
      const grab = await send(a, 'radarr', movie.grab);
      assert.equal(grab.from, 'APPROVED', 'a saw what b committed');
      assert.equal((await send(b, 'jellyseerr', movie.approved)).outcome, 'duplicate');
      assert.equal((await send(a, 'jellyseerr', movie.approved)).outcome, 'duplicate', 'a knows the fact b recorded');
      assert.deepEqual(
        (await a.read.timeline(1)).map((t) => t.state),
        ['REQUESTED', 'APPROVED', 'GRABBING'],
      );
      await a.close();
      await b.close();
    });

    it('hostile text is stored and read back exactly (writes are sent as literal scripts)', async () => {
      const store = await openStore();
      const b = movieBodies(INTERSTELLAR);
      const hostile = ["x'); DROP TABLE requests; --", 'O\'Brien "quoted" \\ back', 'nul\u0000inside', 'emoji 🎬 ünïcødé', "''", '?', '$1 :name @p'];
      for (const [i, title] of hostile.entries()) {
        const grab = clone(b.grab);
        Object.assign(grab.movie, { title, tmdbId: 900 + i, id: 900 + i });
        Object.assign(grab, { downloadId: `FF${i}`.padEnd(40, '0') });
        await send(store, 'radarr', grab);
        const imported = clone(b.imported);
        Object.assign(imported.movie, { title, tmdbId: 900 + i, id: 900 + i });
        Object.assign(imported, { downloadId: `FF${i}`.padEnd(40, '0') });
        imported.movieFile.path = `/m/${title}.mkv`;
        await send(store, 'radarr', imported);
      }
      const list = await store.read.listRequests({ limit: 20 });
      assert.deepEqual(list.map((r) => r.title).reverse(), hostile);
      assert.deepEqual(
        list.map((r) => r.finalPath).reverse(),
        hostile.map((t) => `/m/${t}.mkv`),
      );
      assert.ok((await store.read.timeline(nth(list).id)).every((t) => t.detail.length > 0));
      await store.close();
    });

    it('list filters by state and activity, newest first', async () => {
      const store = await openStore();
      await send(store, 'jellyseerr', movieBodies(INTERSTELLAR).pending);
      await send(store, 'jellyseerr', showBodies(SEVERANCE).approved);
      for (const hook of [movieBodies(VIOLET).imported, movieBodies(VIOLET).jellyfin]) await send(store, hook.movie ? 'radarr' : 'jellyfin', hook);
      assert.deepEqual(
        (await store.read.listRequests({ limit: 10 })).map((r) => r.title),
        ['Violet Evergarden: The Movie', 'Severance', 'Interstellar'],
      );
      assert.deepEqual(
        (await store.read.listRequests({ limit: 10, activeOnly: true })).map((r) => r.title),
        ['Severance', 'Interstellar'],
      );
      assert.deepEqual(
        (await store.read.listRequests({ limit: 10, states: ['APPROVED', 'AVAILABLE'] })).map((r) => r.state),
        ['AVAILABLE', 'APPROVED'],
      );
      assert.equal((await store.read.listRequests({ limit: 1 })).length, 1);
      await store.close();
    });

    it('50 webhooks for one series fired at once lose no episode update', async () => {
      const store = await openStore();
      const b = showBodies({ ...LYCORIS, episodes: 50 });
      await send(store, 'sonarr', b.grab());
      const results = await Promise.all(b.numbers.map((i) => send(store, 'sonarr', b.importFile(i))));
      assert.ok(results.every((r) => r.outcome === 'changed'));
      const request = nth(await store.read.listRequests({ limit: 5 }));
      assert.equal(request.episodes.length, 50);
      assert.ok(request.episodes.every((e) => e.state === 'IMPORTING' && e.finalPath));
      assert.equal(request.state, 'IMPORTING');
      assert.equal((await store.read.timeline(request.id)).length, 51);
      await store.close();
    });
  });

  describe('track: correlation', () => {
    it('Jellyseerr events find their request by request id; an arr-created request is adopted by tmdb', async () => {
      const store = await openStore();
      const b = movieBodies(INTERSTELLAR);
      const grab = await send(store, 'radarr', b.grab);
      assert.equal(grab.outcome, 'changed');
      assert.equal(grab.request?.ids.jellyseerrRequest, null);
      const pending = await send(store, 'jellyseerr', b.pending);
      assert.equal(pending.request?.id, grab.request?.id, 'no second request for the same movie');
      assert.equal(pending.request?.ids.jellyseerrRequest, 80);
      assert.equal(pending.request?.state, 'GRABBING', 'a late Jellyseerr event does not move it back');
      const approved = await send(store, 'jellyseerr', b.approved);
      assert.equal(approved.request?.id, grab.request?.id);
      await store.close();
    });

    it('Radarr finds a request by download id whatever its case, then by tmdbId; never across media types', async () => {
      const store = await openStore();
      const b = movieBodies(INTERSTELLAR);
      // A show whose TMDB id equals the movie's: TMDB ids of movies and shows overlap.
      const show = showBodies({ ...SEVERANCE, tmdb: INTERSTELLAR.tmdb });
      const movie = await send(store, 'jellyseerr', b.pending);
      const tv = await send(store, 'jellyseerr', show.approved); // the newer one: found first if types mixed
      assert.notEqual(tv.request?.id, movie.request?.id);
      const grab = await send(store, 'radarr', b.grab);
      assert.equal(grab.request?.id, movie.request?.id);
      assert.notEqual(grab.request?.id, tv.request?.id);
      const imported = clone(b.imported);
      imported.downloadId = INTERSTELLAR.hash.toLowerCase();
      imported.movie.tmdbId = 999999; // so only the download id can find it
      const result = await send(store, 'radarr', imported);
      assert.equal(result.request?.id, movie.request?.id);
      assert.equal(result.request?.state, 'IMPORTING');
      await store.close();
    });

    it('a re-request of media that is already AVAILABLE becomes a new request, not the old row', async () => {
      const store = await openStore();
      const b = movieBodies(INTERSTELLAR);
      await hooks(store, [
        ['jellyseerr', b.pending],
        ['radarr', b.grab],
        ['radarr', b.imported],
        ['jellyfin', b.jellyfin],
      ]);
      const again = clone(b.pending);
      again.request.request_id = '99';
      const second = await send(store, 'jellyseerr', again);
      assert.equal(second.outcome, 'changed');
      assert.equal(second.request?.id, 2);
      const grab = clone(b.grab);
      grab.downloadId = 'BBBB000000000000000000000000000000000000';
      assert.equal((await send(store, 'radarr', grab)).request?.id, 2, 'the grab goes to the open request, not the old AVAILABLE one');
      const list = await store.read.listRequests({ limit: 10 });
      assert.deepEqual(
        list.map((r) => [r.id, r.state]),
        [
          [2, 'GRABBING'],
          [1, 'AVAILABLE'],
        ],
      );
      await store.close();
    });

    it('a grab after AVAILABLE with no open request is an upgrade of the AVAILABLE one', async () => {
      const store = await openStore();
      const b = movieBodies(INTERSTELLAR);
      await hooks(store, [
        ['radarr', b.grab],
        ['radarr', b.imported],
        ['jellyfin', b.jellyfin],
      ]);
      const grab = clone(b.grab);
      grab.downloadId = 'CCCC000000000000000000000000000000000000';
      const upgrade = await send(store, 'radarr', grab);
      assert.equal(upgrade.outcome, 'recorded');
      assert.equal(upgrade.request?.state, 'AVAILABLE');
      assert.equal(upgrade.notify, false);
      assert.equal((await store.read.listRequests({ limit: 10 })).length, 1);
      await store.close();
    });

    it('two open requests of one show for different seasons each get their own grabs', async () => {
      const store = await openStore();
      const s1 = showBodies({ ...SEVERANCE, requestId: 81, season: 1 });
      const s2 = showBodies({ ...SEVERANCE, requestId: 82, season: 2, hash: 'D2D2000000000000000000000000000000000000' });
      const first = await send(store, 'jellyseerr', s1.approved);
      const second = await send(store, 'jellyseerr', s2.approved);
      assert.notEqual(first.request?.id, second.request?.id, 'a second Jellyseerr request is never merged into the first');
      assert.equal((await send(store, 'sonarr', s1.grab())).request?.id, first.request?.id);
      assert.equal((await send(store, 'sonarr', s2.grab())).request?.id, second.request?.id);
      await store.close();
    });

    it('a Jellyfin episode is found by its TVDB id, else by series name and numbers', async () => {
      const store = await openStore();
      const b = showBodies(LYCORIS);
      await send(store, 'sonarr', b.grab());
      await send(store, 'sonarr', b.importComplete());
      assert.equal(nth((await send(store, 'jellyfin', b.jellyfinEpisode(2))).request?.episodes, 1).state, 'AVAILABLE');
      const byName = b.jellyfinEpisode(3);
      delete byName.Provider_tvdb;
      byName.SeriesName = 'lycoris recoil';
      const result = await send(store, 'jellyfin', byName);
      assert.equal(nth(result.request?.episodes, 2).state, 'AVAILABLE');
      const unknown = b.jellyfinEpisode(40);
      assert.equal((await send(store, 'jellyfin', unknown)).outcome, 'unmatched');
      await store.close();
    });

    it('test events never create or change anything; nothing matched is said with a reason', async () => {
      const store = await openStore();
      for (const [source, name] of [
        ['sonarr', 'sonarr-test'],
        ['radarr', 'radarr-test'],
        ['jellyseerr', 'jellyseerr-test'],
      ] as const) {
        const result = await send(store, source, fixture(name));
        assert.equal(result.outcome, 'test');
        assert.equal(result.request, undefined);
      }
      assert.deepEqual(await store.read.listRequests({ limit: 10 }), []);
      const added = await send(store, 'radarr', fixture('radarr-movie-added'));
      assert.deepEqual([added.outcome, added.reason], ['unmatched', 'no tracked request for this movie']);
      const off = await send(store, 'radarr', movieBodies(INTERSTELLAR).grab, { ...DEFAULT_TRACK_OPTIONS, createFromArr: false });
      assert.equal(off.outcome, 'unmatched');
      assert.deepEqual(await store.read.listRequests({ limit: 10 }), []);
      await store.close();
    });
  });

  describe('track: duplicates and order', () => {
    it('a retried webhook changes nothing and adds no timeline entry; per-file + import-complete count once', async () => {
      const store = await openStore();
      const b = showBodies(LYCORIS);
      await send(store, 'jellyseerr', b.approved);
      assert.equal((await send(store, 'jellyseerr', b.approved)).outcome, 'duplicate');
      await send(store, 'sonarr', b.grab());
      assert.equal((await send(store, 'sonarr', b.grab())).outcome, 'duplicate');
      for (const i of b.numbers) await send(store, 'sonarr', b.importFile(i));
      const complete = await send(store, 'sonarr', b.importComplete());
      assert.equal(complete.outcome, 'duplicate');
      const request = nth(await store.read.listRequests({ limit: 1 }));
      assert.equal((await store.read.timeline(request.id)).length, 2 + 13);
      await store.close();
    });

    it('duplicated and reordered webhooks converge to the snapshot of the ordered run', async () => {
      const b = showBodies(LYCORIS);
      const ordered: [WebhookSource, Body][] = [
        ['jellyseerr', b.pending],
        ['jellyseerr', b.approved],
        ['sonarr', b.grab()],
        ...b.numbers.map((i): [WebhookSource, Body] => ['sonarr', b.importFile(i)]),
        ['sonarr', b.importComplete()],
        ...b.numbers.map((i): [WebhookSource, Body] => ['jellyfin', b.jellyfinEpisode(i)]),
      ];
      const storeA = await openStore();
      for (const [source, body] of ordered) await send(storeA, source, body);
      const expected = (await storeA.read.listRequests({ limit: 5 })).map((r) => snapshotOf(r));
      await storeA.close();
      assert.equal(expected.length, 1);
      assert.equal(nth(expected).state, 'AVAILABLE');

      // A deterministic shuffle with every webhook sent twice.
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let round = 0; round < 3; round++) {
        const shuffled = [...ordered, ...ordered]
          .map((hook) => ({ hook, key: random() }))
          .sort((x, y) => x.key - y.key)
          .map((x) => x.hook);
        const store = await openStore();
        for (const [source, body] of shuffled) await send(store, source, body);
        const actual = (await store.read.listRequests({ limit: 5 })).map((r) => snapshotOf(r));
        await store.close();
        assert.deepEqual(actual.map(content), expected.map(content), `round ${round}`);
      }
    });

    it('an import before the download reports complete, and before the grab, still converges', async () => {
      const b = movieBodies(VIOLET);
      const early = await openStore();
      await hooks(early, [
        ['radarr', b.imported],
        ['jellyseerr', b.pending],
        ['radarr', b.grab],
        ['jellyfin', b.jellyfin],
      ]);
      const late = await openStore();
      await hooks(late, [
        ['jellyseerr', b.pending],
        ['radarr', b.grab],
        ['radarr', b.imported],
        ['jellyfin', b.jellyfin],
      ]);
      const a = snapshotOf(nth(await early.read.listRequests({ limit: 1 })));
      const c = snapshotOf(nth(await late.read.listRequests({ limit: 1 })));
      assert.deepEqual(content(a), content(c));
      assert.equal(a.state, 'AVAILABLE');
      await early.close();
      await late.close();
    });

    it('the state-change output fires on state changes and new attention only', async () => {
      const store = await openStore();
      const b = showBodies(LYCORIS);
      await send(store, 'sonarr', b.grab());
      const partial = await send(store, 'sonarr', b.importFile(1));
      assert.equal(partial.notify, false, 'one episode imported does not change the request state');
      const mi = clone(fixture('sonarr-manual-interaction-required'));
      const flagged = await send(store, 'sonarr', mi);
      assert.equal(flagged.notify, true);
      assert.equal(flagged.request?.attention?.kind, 'manual-interaction');
      await store.close();
    });
  });
});
