import { z } from 'zod';
import type { EpisodeRef, MediaEvent, MediaInfo } from '../../events';
import { looseInt, optionalId, text } from '../http/schema-helpers';

/**
 * Jellyfin webhook plugin (payloads.md section 6.1). Two shapes are accepted: "Send All Properties"
 * (typed values, 32-hex ItemId) and a hand-written template where every value is a string, absent
 * keys are "" and ItemId is a dashed Guid. Provider ids are those of the item itself: for an Episode,
 * `Provider_tvdb` is the episode's TVDB id.
 */
export const JellyfinSchema = z
  .object({
    NotificationType: text(64).min(1),
    ItemId: text(64).optional(),
    ItemType: text(64).optional(),
    Name: text(1000).optional(),
    Year: looseInt.optional(),
    SeriesName: text(1000).optional(),
    SeriesId: text(64).optional(),
    SeasonNumber: looseInt.optional(),
    EpisodeNumber: looseInt.optional(),
    EpisodeNumberEnd: looseInt.optional(),
    Provider_tmdb: optionalId,
    Provider_tvdb: optionalId,
    Provider_imdb: text(32).optional(),
    'Provider_shoko file': optionalId,
  })
  .superRefine((body, ctx) => {
    // Without it nothing a household adds ever becomes AVAILABLE: a malformed body, not an ignorable one.
    if ((body.NotificationType === 'ItemAdded' || body.NotificationType === 'ItemDeleted') && !body.ItemType) {
      ctx.addIssue({
        code: 'custom',
        path: ['ItemType'],
        message: `required for ${body.NotificationType} (Movie or Episode: add {{ItemType}} to the webhook template)`,
      });
    }
  });

type Body = z.infer<typeof JellyfinSchema>;

/** Jellyfin ids are Guids: 32 hex without dashes from "Send All Properties", dashed from a template. */
export function normaliseJellyfinId(id: string | undefined): string | undefined {
  const compact = id?.replace(/-/g, '').trim().toLowerCase();
  return compact || undefined;
}

function episodesOf(body: Body): EpisodeRef[] {
  const season = body.SeasonNumber;
  const first = body.EpisodeNumber;
  if (season === undefined || first === undefined || season < 0 || first < 0) return [];
  const last = body.EpisodeNumberEnd !== undefined && body.EpisodeNumberEnd > first && body.EpisodeNumberEnd - first < 100 ? body.EpisodeNumberEnd : first;
  const episodes: EpisodeRef[] = [];
  for (let episode = first; episode <= last; episode++) episodes.push({ season, episode });
  // Provider_tvdb names one episode: the first of a multi-episode file.
  const [firstEpisode] = episodes;
  if (firstEpisode && body.Provider_tvdb !== undefined) firstEpisode.tvdbId = body.Provider_tvdb;
  return episodes;
}

/**
 * ItemAdded: a Movie or Episode item plays (available). ItemDeleted: the item was removed from the
 * library (deleted: a movie or a whole series as media, an episode as its file).
 */
export function normaliseJellyfin(input: unknown, at: string): MediaEvent {
  const body = JellyfinSchema.parse(input);
  const base = { source: 'jellyfin' as const, at };
  const name = body.NotificationType;
  if (name !== 'ItemAdded' && name !== 'ItemDeleted') return { ...base, kind: 'ignored', name, reason: `Jellyfin ${name} is not about tracking` };
  const added = name === 'ItemAdded';
  const itemId = normaliseJellyfinId(body.ItemId);
  const movie: MediaInfo = {
    mediaType: 'movie',
    ids: { tmdb: body.Provider_tmdb, imdb: body.Provider_imdb || undefined, jellyfin: itemId },
    title: body.Name || undefined,
    year: body.Year || undefined,
  };
  switch (body.ItemType) {
    case 'Movie':
      if (!added) return { ...base, kind: 'deleted', what: 'media', media: movie, episodes: [], reason: 'removed from the Jellyfin library' };
      return { ...base, kind: 'available', media: movie, episodes: [], jellyfinItemId: itemId };
    case 'Episode': {
      const episodes = episodesOf(body);
      // Without numbers the item cannot name its episode, and an empty list would mean "the whole show".
      if (!episodes.length) return { ...base, kind: 'ignored', name, reason: 'the Jellyfin Episode item has no season and episode numbers' };
      const media: MediaInfo = {
        mediaType: 'tv',
        ids: { jellyfin: normaliseJellyfinId(body.SeriesId) },
        title: body.SeriesName || undefined,
        year: body.Year || undefined,
      };
      if (!added) return { ...base, kind: 'deleted', what: 'file', media, episodes, reason: 'removed from the Jellyfin library' };
      return { ...base, kind: 'available', media, episodes, jellyfinItemId: itemId, shokoFileId: body['Provider_shoko file'] };
    }
    case 'Series': {
      if (added) break;
      // A Series item's provider ids are the show's own.
      const media: MediaInfo = {
        mediaType: 'tv',
        ids: { tvdb: body.Provider_tvdb, tmdb: body.Provider_tmdb, jellyfin: itemId },
        title: body.Name || undefined,
      };
      return { ...base, kind: 'deleted', what: 'media', media, episodes: [], reason: 'removed from the Jellyfin library' };
    }
  }
  return {
    ...base,
    kind: 'ignored',
    name,
    reason: `a Jellyfin ${body.ItemType || 'item'} ${added ? 'does not prove that a movie or an episode plays' : 'removal is not tracked'}`,
  };
}
