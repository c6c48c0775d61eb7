import { z } from 'zod';
import { id, isoText, text } from './schema-primitives';

/** The parts events are made of: ids, media, episodes, releases, an arr's status, a pending deletion. */

export const SourceSchema = z.enum(['jellyseerr', 'radarr', 'sonarr', 'jellyfin', 'qbittorrent', 'shoko', 'tracker']);
export const MediaTypeSchema = z.enum(['movie', 'tv']);

export const MediaIdsSchema = z.object({
  jellyseerrRequest: id.optional(),
  tmdb: id.optional(),
  tvdb: id.optional(),
  imdb: text.optional(),
  radarr: id.optional(),
  sonarr: id.optional(),
  jellyfin: text.optional(),
});

/** An episode by its numbers: the key of every episode the tracker holds. */
export const EpisodeKeySchema = z.object({
  season: z.number().int().nonnegative(),
  episode: z.number().int().nonnegative(),
});

/**
 * A deletion the tracker will pass on once its grace period is over (see lib/actions/deletion.ts),
 * unless a person keeps the media or the removal is undone (a new grab, an import, the media back).
 * Planned by an action event, held on the request (its snapshot shows it).
 */
export const PendingDeletionSchema = z.object({
  /** The removal it is for (the request's removedAt when it was planned). */
  removedAt: z.iso.datetime(),
  /** When it will be done: the source of truth is asked first. */
  dueAt: z.iso.datetime(),
  /** What it will delete, and where, in words (never a download hash or a file path). */
  plan: z.array(text).max(20),
  /** A dry run: it will only say what it would delete. */
  dryRun: z.boolean(),
});

/**
 * What an arr's own record of a movie or show says before anything is grabbed (Radarr's movie:
 * `monitored`, `isAvailable`, `releaseDate` and which of `inCinemas`/`physicalRelease`/`digitalRelease`
 * it is, `lastSearchTime`; Sonarr's series `monitored` and its episodes' `airDateUtc`, `lastSearchTime`).
 */
export const ArrStatusSchema = z.object({
  /** When the arr was asked. */
  at: isoText,
  instance: text,
  /** The arr has the movie or show at all (looked up by TMDB or TVDB id); false: the other fields say nothing. */
  present: z.boolean(),
  monitored: z.boolean(),
  /** Movie: Radarr counts it released by its minimum availability; TV: an episode it waits for has aired. */
  released: z.boolean(),
  /** The date the arr waits for (a movie's release, a show's next air date), or null when none is known. */
  releaseAt: isoText.nullable(),
  releaseKind: z.enum(['cinemas', 'physical', 'digital', 'air']).nullable(),
  /** The arr's last automatic or manual search for it (a show: its most recent episode search). */
  lastSearchAt: isoText.nullable(),
  /** TV: the requested episodes it has no file for, with their air date and last search. */
  episodes: z
    .array(
      EpisodeKeySchema.extend({
        airDate: isoText.nullable(),
        lastSearchAt: isoText.nullable(),
      }),
    )
    .max(50_000),
});

/** What an arr's release search found and why it took none (Radarr/Sonarr `GET /api/v3/release`: `rejected`, `rejections`). */
export const RejectionsSchema = z.object({
  at: isoText,
  releases: z.number().int().nonnegative(),
  approved: z.number().int().nonnegative(),
  /** The most common reasons, most common first, in the arr's words. */
  reasons: z.array(z.object({ reason: text, count: z.number().int().positive() })).max(10),
});

export const MediaSchema = z.object({
  mediaType: MediaTypeSchema,
  ids: MediaIdsSchema,
  title: text.optional(),
  year: z.number().int().optional(),
  isAnime: z.boolean().optional(),
  posterUrl: text.optional(),
  requestedBy: text.optional(),
  requestedSeasons: z.array(z.number().int().nonnegative()).optional(),
  /** A 4K request (Jellyseerr), or media in an instance ticked 4K (the arrs). */
  is4k: z.boolean().optional(),
  /** The arr instance the event came from (a webhook's `?instance=`, a sync's server node name). */
  instance: z.string().min(1).max(100).optional(),
});

export const EpisodeRefSchema = EpisodeKeySchema.extend({
  title: text.optional(),
  /** The episode's own TVDB id (Sonarr `episodes[].tvdbId`, Jellyfin `Provider_tvdb` of an Episode item). */
  tvdbId: id.optional(),
});

/** A request holds at most this many episodes (soap operas run past 15,000). */
export const MAX_EPISODES = 50_000;
export const EpisodeRefListSchema = z.array(EpisodeRefSchema).max(MAX_EPISODES);

export const ImportedFileSchema = z.object({
  path: text,
  /** Episodes this file holds; empty when it could not be placed (it still moves the listed episodes on). */
  episodes: z.array(EpisodeKeySchema),
});

export const ReleaseSchema = z.object({
  title: text.optional(),
  quality: text.optional(),
  indexer: text.optional(),
  size: z.number().nonnegative().optional(),
});

/** The actions a person can ask for that are recorded on the request (forget removes it instead). */
export const RECORDED_ACTIONS = ['retry', 'search', 'verify', 'explain', 'mark-available', 'dismiss', 'keep'] as const;
/** Every action a person can ask for (media-action, the sidebar, the status page): the one list. */
export const ACTIONS = [...RECORDED_ACTIONS, 'forget'] as const;
export type ActionName = (typeof ACTIONS)[number];
