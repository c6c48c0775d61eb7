import { z } from 'zod';
import { RejectionsSchema } from './events';
import { EpisodeRecordSchema, EtaSchema, RequestRecordSchema, WaitingSchema, type TimelineEntry } from './model';
import { EPISODE_STATES, type EpisodeState } from './states';

/**
 * The snapshot: a request's public JSON (docs, "Request snapshot"), built from its record by
 * tracker/snapshot.ts. Its schema is the one source of its type, so a node that takes a snapshot
 * from a flow checks all of it, never a part.
 */

const count = z.number().int().nonnegative();

export const EpisodeCountsSchema = z.object({ total: count, ...Object.fromEntries(EPISODE_STATES.map((state) => [state, count])) } as Record<
  'total' | EpisodeState,
  typeof count
>);
export type EpisodeCounts = z.infer<typeof EpisodeCountsSchema>;

/** A public episode: the record's, without the ids only the tracker uses, with why it waits and when it will be ready. */
export const EpisodeSnapshotSchema = EpisodeRecordSchema.omit({ tvdbId: true, jellyfinId: true, shokoFileId: true }).extend({
  waiting: WaitingSchema.nullable().default(null),
  eta: EtaSchema.nullable().default(null),
});

/**
 * The public JSON (docs, "Request snapshot"): the record without what only the state machine uses
 * (its own stage, who supplied the title, a movie's download and Shoko file, the arr's status), with
 * a title always, the episode counts, and why it waits and when it will be ready.
 */
export const RequestSnapshotSchema = RequestRecordSchema.omit({ stage: true, infoSource: true, downloadId: true, shokoFileId: true, arr: true }).extend({
  id: z.number().int().positive(),
  title: z.string().max(4096),
  episodeCounts: EpisodeCountsSchema,
  episodes: z.array(EpisodeSnapshotSchema).max(100_000),
  rejections: RejectionsSchema.nullable().default(null),
  /** Why it is not watchable yet (null once it is, or when it failed for good). */
  waiting: WaitingSchema.nullable().default(null),
  /** When it will be ready (null once it is). */
  eta: EtaSchema.nullable().default(null),
});
export type RequestSnapshot = z.infer<typeof RequestSnapshotSchema>;

export type RequestDetail = RequestSnapshot & { timeline: TimelineEntry[] };
