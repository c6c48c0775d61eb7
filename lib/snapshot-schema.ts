import { z } from 'zod';
import { MediaTypeSchema, PendingDeletionSchema, RejectionsSchema } from './events';
import {
  ArrPlacementSchema,
  AttentionSchema,
  DownloadRecordSchema,
  EpisodeStateSchema,
  EtaSchema,
  UpcomingEpisodeSchema,
  WaitingSchema,
  type TimelineEntry,
} from './model';
import { EPISODE_STATES, RequestStateSchema, type EpisodeState } from './states';

/**
 * The snapshot: a request's public JSON (docs, "Request snapshot"), built from its record by
 * tracker/snapshot.ts. Its schema is the one source of its type, so a node that takes a snapshot
 * from a flow checks all of it, never a part.
 */

const iso = z.string().max(40);
const text = z.string().max(4096);
const nullableText = text.nullable();
const count = z.number().int().nonnegative();

export const EpisodeCountsSchema = z.object({ total: count, ...Object.fromEntries(EPISODE_STATES.map((state) => [state, count])) } as Record<
  'total' | EpisodeState,
  typeof count
>);
export type EpisodeCounts = z.infer<typeof EpisodeCountsSchema>;

const id = z.number().int().positive().nullable();

/** The public JSON (README, "Request snapshot"). */
export const RequestSnapshotSchema = z.object({
  id: z.number().int().positive(),
  title: text,
  year: z.number().int().nullable(),
  mediaType: MediaTypeSchema,
  isAnime: z.boolean(),
  state: RequestStateSchema,
  requestedBy: nullableText,
  posterUrl: nullableText,
  requestedSeasons: z.array(count).max(1000),
  ids: z.object({ jellyseerrRequest: id, tmdb: id, tvdb: id, imdb: nullableText, radarr: id, sonarr: id, jellyfin: nullableText }),
  is4k: z.boolean(),
  instances: z.array(ArrPlacementSchema).max(100),
  downloads: z.array(DownloadRecordSchema).max(10_000),
  finalPath: nullableText,
  episodeCounts: EpisodeCountsSchema,
  attention: AttentionSchema.nullable(),
  episodes: z
    .array(
      z.object({
        season: count,
        episode: count,
        title: nullableText,
        state: EpisodeStateSchema,
        downloadId: nullableText,
        finalPath: nullableText,
        progress: z.number().min(0).max(1).nullable(),
        availableAt: iso.nullable(),
        removedAt: iso.nullable(),
        waiting: WaitingSchema.nullable().default(null),
        eta: EtaSchema.nullable().default(null),
      }),
    )
    .max(100_000),
  upcoming: z.array(UpcomingEpisodeSchema).max(100_000),
  createdAt: iso,
  updatedAt: iso,
  stateChangedAt: iso,
  availableAt: iso.nullable(),
  removedAt: iso.nullable(),
  deletion: PendingDeletionSchema.nullable(),
  progressAt: iso,
  rejections: RejectionsSchema.nullable().default(null),
  /** Why it is not watchable yet (null once it is, or when it failed for good). */
  waiting: WaitingSchema.nullable().default(null),
  /** When it will be ready (null once it is). */
  eta: EtaSchema.nullable().default(null),
});
export type RequestSnapshot = z.infer<typeof RequestSnapshotSchema>;

export type RequestDetail = RequestSnapshot & { timeline: TimelineEntry[] };
