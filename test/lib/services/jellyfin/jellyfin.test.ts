import assert from 'node:assert/strict';
import { findInJellyfin, JellyfinClient } from '../../../../lib/services/jellyfin/client';
import { track } from '../../../../lib/tracker/track';
import { FakeJellyfin } from '../../../fakes/jellyfin';
import { LYCORIS, VIOLET, movieBodies, showBodies } from '../../../support/bodies';
import { nth } from '../../../support/nth';
import { forEachStoreMode, hook } from '../../../support/store';
import { ServiceError } from '../../../../lib/services/http/errors';

/** Asking a server that speaks Jellyfin's /Items API (fake at the wire) whether a request plays. */

let jellyfin: FakeJellyfin;
let client: JellyfinClient;
const NOW = '2026-01-22T06:00:00.000Z';

describe('Jellyfin client', () => {
  before(async () => {
    jellyfin = new FakeJellyfin('jf-key');
    await jellyfin.start();
    client = new JellyfinClient({ url: jellyfin.url, apiKey: 'jf-key' });
    jellyfin.add(
      {
        Id: 'a'.repeat(32),
        Name: 'Your Name.',
        Type: 'Movie',
        ProductionYear: 2016,
        ProviderIds: { Tmdb: '372058', Imdb: 'tt5311514' },
        Path: '/data/movies/Your Name. (2016)/Your Name.mkv',
      },
      {
        Id: 'b'.repeat(32),
        Name: 'Violet Evergarden: The Movie',
        Type: 'Movie',
        ProductionYear: 2020,
        ProviderIds: { Tmdb: '533514' },
        Path: '/data/anime/movies/Violet/Violet.mkv',
      },
      // Created by a Jellyseerr sync: ids, no media.
      { Id: 'c'.repeat(32), Name: 'Suzume', Type: 'Movie', ProductionYear: 2022, ProviderIds: { Tmdb: '916224' } },
      // Shoko re-categorised the recap movie as a special of the series, under the show's TMDB id.
      { Id: 'd'.repeat(32), Name: 'Violet Evergarden', Type: 'Series', ProductionYear: 2018, ProviderIds: { Tmdb: '75214' } },
      {
        Id: 'e'.repeat(32),
        Name: 'Violet Evergarden: Recollections',
        Type: 'Episode',
        ProductionYear: 2021,
        SeriesId: 'd'.repeat(32),
        ParentIndexNumber: 0,
        IndexNumber: 3,
        Path: '/data/anime/shows/Violet/Season 0/Recollections.mkv',
      },
      { Id: 'f'.repeat(32), Name: 'Lycoris Recoil', Type: 'Series', ProductionYear: 2022, ProviderIds: { Tvdb: '414057', Tmdb: '154494' } },
      ...[1, 2, 3].map((i) => ({
        Id: `${i}`.repeat(32),
        Name: `Episode ${i}`,
        Type: 'Episode' as const,
        SeriesId: 'f'.repeat(32),
        ParentIndexNumber: 1,
        IndexNumber: i,
        Path: `/data/anime/shows/Lycoris Recoil/Season 1/E0${i}.mkv`,
      })),
      { Id: '4'.repeat(32), Name: 'Episode 4', Type: 'Episode', SeriesId: 'f'.repeat(32), ParentIndexNumber: 1, IndexNumber: 4, LocationType: 'Virtual' },
    );
  });
  after(() => jellyfin.stop());

  forEachStoreMode((open) =>
    describe('Jellyfin verification', () => {
      async function movieRecord(spec: Partial<typeof VIOLET>) {
        const store = await open();
        const m = movieBodies({ ...VIOLET, ...spec });
        await hook(store, 'jellyseerr', m.approved);
        const record = nth(await store.read.listRequests({ limit: 1 }));
        await store.close();
        return record;
      }

      it('finds a movie by its exact TMDB id among the unrelated items the query returns', async () => {
        const event = await findInJellyfin(client, await movieRecord({}), NOW);
        assert.deepEqual(event && { id: event.jellyfinItemId, tmdb: event.media.ids.tmdb }, { id: 'b'.repeat(32), tmdb: 533514 });
        assert.ok(jellyfin.requests.at(-1)?.includes('Fields=ProviderIds%2CPath%2CMediaSources'));
        const interstellar = await findInJellyfin(client, await movieRecord({ title: 'Interstellar', tmdb: 157336, year: 2014 }), NOW);
        assert.equal(interstellar, undefined, 'other movies come back from the search; none has this id');
      });

      it('a metadata-only stub is not playable', async () => {
        assert.equal(await findInJellyfin(client, await movieRecord({ title: 'Suzume', tmdb: 916224, year: 2022 }), NOW), undefined);
      });

      it('the re-categorised anime movie is found as the series special with its title and year', async () => {
        const event = await findInJellyfin(
          client,
          await movieRecord({ title: 'Violet Evergarden: Recollections', tmdb: 1052946, year: 2021, requestId: 70 }),
          NOW,
        );
        assert.equal(event?.jellyfinItemId, 'e'.repeat(32));
        assert.equal(event?.media.mediaType, 'movie');
      });

      it('a show: its playable episodes among those tracked (a virtual one is not)', async () => {
        const store = await open();
        const b = showBodies({ ...LYCORIS, episodes: 4 });
        await hook(store, 'sonarr', b.grab());
        await hook(store, 'sonarr', b.importComplete());
        const record = nth(await store.read.listRequests({ limit: 1 }));
        const event = await findInJellyfin(client, record, NOW);
        assert.deepEqual(
          event?.episodes,
          [1, 2, 3].map((episode) => ({ season: 1, episode })),
        );
        const result = await track(store, event!);
        assert.deepEqual(
          result.request?.episodes.map((e) => e.state),
          ['AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'IMPORTING'],
        );
        assert.equal(result.request?.state, 'IMPORTING');
        await store.close();
      });

      it('a re-request of media already in Jellyfin goes AVAILABLE without any arr webhook', async () => {
        const store = await open();
        const m = movieBodies({ ...VIOLET, title: 'Your Name.', tmdb: 372058, imdb: 'tt5311514', year: 2016, requestId: 90 });
        await hook(store, 'jellyseerr', m.approved);
        const later = new Date(Date.now() + 3600000).toISOString();
        const waiting = await store.read.awaitingEvidence(later, later, 50);
        assert.deepEqual(
          waiting.map((r) => r.state),
          ['APPROVED'],
        );
        const event = await findInJellyfin(client, nth(waiting), NOW);
        const result = await track(store, event!);
        assert.deepEqual([result.request?.state, result.from, result.request?.ids.jellyfin], ['AVAILABLE', 'APPROVED', 'a'.repeat(32)]);
        await store.close();
      });

      it('Jellyfin down, or refusing the key, is an error with the reason', async () => {
        jellyfin.down = true;
        try {
          await assert.rejects(
            findInJellyfin(client, await movieRecord({}), NOW),
            (err: unknown) => err instanceof ServiceError && /unreachable/.test(err.message),
          );
        } finally {
          jellyfin.down = false;
        }
        const wrongKey = new JellyfinClient({ url: jellyfin.url, apiKey: 'nope' });
        await assert.rejects(findInJellyfin(wrongKey, await movieRecord({}), NOW), /Jellyfin answered 401/);
      });
    }),
  );
});
