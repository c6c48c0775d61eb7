import assert from 'node:assert/strict';
import { StatusStore } from '../../../lib/store/store';
import type { KeyQuery } from '../../../lib/store/lookup';
import { INTERSTELLAR, LYCORIS, SEVERANCE, VIOLET, movieBodies, showBodies } from '../../support/bodies';
import { forEachStoreMode, hook } from '../../support/store';

const MEDIA_TYPES = ['movie', 'tv', undefined] as const;

/** Every lookup of these requests' keys, under each media type and none. */
function queriesFor(values: Omit<KeyQuery, 'mediaType'>[]): KeyQuery[] {
  return values.flatMap((value) => MEDIA_TYPES.map((mediaType) => ({ ...value, mediaType })));
}

forEachStoreMode((openStore) => {
  describe('key index', () => {
    it('what the writer keeps from its own writes answers every lookup as a fresh read of the file does', async () => {
      const store = await openStore();
      const interstellar = movieBodies(INTERSTELLAR);
      for (const body of [interstellar.pending, interstellar.approved]) await hook(store, 'jellyseerr', body);
      for (const body of [interstellar.grab, interstellar.imported]) await hook(store, 'radarr', body);
      const violet = movieBodies(VIOLET);
      await hook(store, 'jellyseerr', violet.pending);
      await hook(store, 'radarr', violet.grab);
      // Split grabs: one show with two downloads; a second request for the same movie, then forgotten.
      const lycoris = showBodies(LYCORIS);
      await hook(store, 'jellyseerr', lycoris.approved);
      await hook(store, 'sonarr', lycoris.grab([1, 2, 3]));
      await hook(store, 'sonarr', lycoris.grab([4, 5], 'C'.repeat(40)));
      // Created by the arr alone: no Jellyseerr request.
      await hook(store, 'sonarr', showBodies(SEVERANCE).grab());
      const again = movieBodies({ ...VIOLET, requestId: 700 });
      await hook(store, 'jellyseerr', again.pending);
      const forgotten = movieBodies({ ...VIOLET, requestId: 701, tmdb: 701, imdb: 'tt0000701' });
      await hook(store, 'jellyseerr', forgotten.pending);
      assert.equal(await store.forget(6), true);

      const queries = queriesFor([
        ...[INTERSTELLAR, VIOLET, LYCORIS, SEVERANCE].map((m) => ({ jellyseerrRequest: m.requestId, tmdb: m.tmdb, downloadId: m.hash.toLowerCase() })),
        { jellyseerrRequest: 700 },
        { jellyseerrRequest: 701, tmdb: 701, imdb: 'tt0000701' },
        { imdb: INTERSTELLAR.imdb },
        { imdb: VIOLET.imdb },
        { tvdb: LYCORIS.tvdb },
        { tvdb: SEVERANCE.tvdb },
        { downloadId: 'C'.repeat(40) },
        { downloadId: 'not-a-download' },
      ]);
      const kept = await store.write(async (tx) => Promise.all(queries.map((query) => tx.byKeys(query))));
      await store.close();
      const fresh = await StatusStore.open(store.file);
      const read = await fresh.write(async (tx) => Promise.all(queries.map((query) => tx.byKeys(query))));
      await fresh.close();

      assert.deepEqual(kept, read);
      // The lookups found something by every key, and newest first.
      assert.deepEqual([...new Set(kept.flat().map((found) => found.via))].sort(), ['downloadId', 'imdb', 'jellyseerrRequest', 'tmdb', 'tvdb']);
      const violetByTmdb = kept[queries.findIndex((q) => q.tmdb === VIOLET.tmdb && q.mediaType === 'movie')]!.filter((found) => found.via === 'tmdb');
      assert.deepEqual(
        violetByTmdb.map((found) => found.id),
        [5, 2],
      );
      assert.equal(
        kept.flat().some((found) => found.id === 6),
        false,
        'a forgotten request is found by nothing',
      );
    });
  });
});
