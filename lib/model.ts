import { z } from 'zod';
import { ArrStatusSchema, MediaTypeSchema, PendingDeletionSchema, RejectionsSchema, SourceSchema, type Source } from './events';
import { EPISODE_STATES, RequestStateSchema, type RequestState } from './states';

/**
 * The request as the tracker holds it (RequestRecord) and the parts its public JSON shares with it
 * (attention, downloads, waiting, ETA); the snapshot itself is in snapshot-schema.ts.
 */

const iso = z.string().max(40);
const text = z.string().max(4096);
const nullableText = text.nullable();
const count = z.number().int().nonnegative();
export const EpisodeStateSchema = z.enum(EPISODE_STATES);

export const ATTENTION_KINDS = [
  'manual-interaction',
  'declined',
  'failed',
  'issue',
  'stuck',
  'needs-link',
  'import-blocked',
  'download-failed',
  'retry',
  'private-torrent',
] as const;

/** What needs a human beyond the stage: stuck, a manual link in Shoko, manual interaction in an arr, an issue. */
export const AttentionSchema = z.object({ kind: z.enum(ATTENTION_KINDS), reason: text, since: iso });
export type Attention = z.infer<typeof AttentionSchema>;

export const EpisodeRecordSchema = z.object({
  season: count,
  episode: count,
  title: nullableText,
  state: EpisodeStateSchema,
  downloadId: nullableText,
  finalPath: nullableText,
  /** The episode's own TVDB id: the key a Jellyfin Episode item names it by. Not part of the public snapshot. */
  tvdbId: z.number().int().nullable(),
  jellyfinId: nullableText,
  /** The Shoko file once Shoko matched it (anime). Not part of the public snapshot. */
  shokoFileId: z.number().int().nullable(),
  /** 0..1 while its download runs (its own file inside a season pack), 1 once downloaded, null before. */
  progress: z.number().min(0).max(1).nullable(),
  /** When it first became AVAILABLE. */
  availableAt: iso.nullable(),
  /** When it was deleted (in an arr, Jellyfin or Shoko); null while it is there or after a new grab. */
  removedAt: iso.nullable(),
});
export type EpisodeRecord = z.infer<typeof EpisodeRecordSchema>;

/** An episode Sonarr lists in a requested season that has not aired yet: shown, not tracked (see reduce.ts). */
export const UpcomingEpisodeSchema = z.object({
  season: count,
  episode: count,
  title: nullableText,
  /** ISO-8601 UTC; null when Sonarr has no date yet. */
  airDate: iso.nullable(),
});
export type UpcomingEpisode = z.infer<typeof UpcomingEpisodeSchema>;

/**
 * A Radarr or Sonarr instance (a 4K Radarr beside the HD one): its name (a webhook's `?instance=`,
 * a sync report's key: given, else `radarr`, `radarr-4k`, `sonarr`...), its kind, and whether it holds 4K.
 */
export const ArrInstanceSchema = z.object({
  name: text,
  kind: z.enum(['radarr', 'sonarr']),
  is4k: z.boolean(),
});
export type ArrInstance = z.infer<typeof ArrInstanceSchema>;
export type ArrKind = ArrInstance['kind'];

/** Where a request's media lives in an arr: the instance, and the movie's or series' id in it. */
export const ArrPlacementSchema = ArrInstanceSchema.extend({ id: z.number().int() });
export type ArrPlacement = z.infer<typeof ArrPlacementSchema>;

export const DownloadRecordSchema = z.object({
  id: text,
  /** 0..1, as qBittorrent reports it. */
  progress: z.number().min(0).max(1),
  state: z.enum(['GRABBING', 'DOWNLOADING', 'DOWNLOADED', 'FAILED']),
  /** bytes per second while downloading, else null */
  speed: z.number().nonnegative().nullable(),
  /** seconds left while downloading when the client knows, else null */
  etaSeconds: z.number().nonnegative().nullable(),
  /** The arr instance that grabbed it (a webhook's `?instance=`, a sync's server node), when known. */
  instance: nullableText,
  /** Checks in a row of the automatic retry that saw it stalled without progress (0: it moves). */
  strikes: count,
  /** The download client's own state name (qBittorrent's stalledDL, metaDL, pausedDL...), when known. */
  clientState: nullableText,
  /** Seeds connected, as the client last said (null: unknown). */
  seeds: count.nullable(),
  /** The client's last activity on it (a stalled torrent's last moment of progress), when known. */
  activeAt: iso.nullable(),
});
export type DownloadRecord = z.infer<typeof DownloadRecordSchema>;

const nullableId = z.number().int().positive().nullable();

/** Every media id a request knows (the ids events name, see MediaIdsSchema), null where unknown. */
export const RequestIdsSchema = z.object({
  jellyseerrRequest: nullableId,
  tmdb: nullableId,
  tvdb: nullableId,
  imdb: nullableText,
  radarr: nullableId,
  sonarr: nullableId,
  jellyfin: nullableText,
});
export type RequestIds = z.infer<typeof RequestIdsSchema>;

/** A request as the tracker holds it: the public snapshot (snapshot-schema.ts) is derived from it. */
export const RequestRecordSchema = z.object({
  /** 0 until the store has saved it. */
  id: count,
  mediaType: MediaTypeSchema,
  title: nullableText,
  year: z.number().int().nullable(),
  isAnime: z.boolean(),
  /** The request's own stage: a movie's whole state, a TV request's state until it has episodes. */
  stage: RequestStateSchema,
  /** Derived: `stage` for movies, the episodes' aggregate for TV. */
  state: RequestStateSchema,
  requestedBy: nullableText,
  posterUrl: nullableText,
  /** Who supplied title, year and poster: a more authoritative source replaces them (see reduce.ts). */
  infoSource: SourceSchema.nullable(),
  requestedSeasons: z.array(count).max(1000),
  /** Non-4K ids: a 4K instance's ids are only in `instances`. */
  ids: RequestIdsSchema,
  /** A 4K request (Jellyseerr's is4k, or media first seen in a 4K instance): only 4K instances' events apply. */
  is4k: z.boolean(),
  instances: z.array(ArrPlacementSchema).max(100),
  /** Episodes announced but not aired (TV); they do not hold the request back. */
  upcoming: z.array(UpcomingEpisodeSchema).max(100_000),
  /** A movie's current download. */
  downloadId: nullableText,
  finalPath: nullableText,
  /** A movie's Shoko file, once Shoko matched it. */
  shokoFileId: z.number().int().nullable(),
  attention: AttentionSchema.nullable(),
  episodes: z.array(EpisodeRecordSchema).max(100_000),
  downloads: z.array(DownloadRecordSchema).max(10_000),
  createdAt: iso,
  updatedAt: iso,
  stateChangedAt: iso,
  availableAt: iso.nullable(),
  /** Set when every item it holds was deleted; cleared by a new grab. */
  removedAt: iso.nullable(),
  /** The deletion the tracker will pass on for that removal, while it waits. */
  deletion: PendingDeletionSchema.nullable(),
  /** The last time anything moved forward (a stage, or download progress): stuck detection counts from here. */
  progressAt: iso,
  /** What the arr's records said when the sync last read them (before a grab), or null. */
  arr: ArrStatusSchema.extend({ searches: count }).nullable(),
  /** What the last explain action found in the arr's release search, or null. */
  rejections: RejectionsSchema.nullable(),
});
export type RequestRecord = z.infer<typeof RequestRecordSchema>;

/** What an arr's records say of a request's media before it is grabbed: held on the request, read by the sync. */
export type ArrStatus = NonNullable<RequestRecord['arr']>;
/** The top reasons an arr's release search rejected what it found (the explain action). */
export type Rejections = z.infer<typeof RejectionsSchema>;

/**
 * Why a request or episode is not watchable yet (README, "Why it is waiting"): a code from this fixed
 * list, its words, since when, and the action that helps (none when waiting is normal).
 */
export const WAITING_CODES = [
  'pending-approval',
  'declined',
  'not-released',
  'not-monitored',
  'not-in-arr',
  'no-release-found',
  'releases-rejected',
  'queued-in-client',
  'fetching-metadata',
  'downloading',
  'stalled',
  'paused',
  'download-failed',
  'import-blocked',
  'importing',
  'waiting-for-shoko',
  'needs-link',
  'waiting-for-jellyfin',
  'private-torrent',
  'deleted',
  'unknown',
] as const;
export type WaitingCode = (typeof WAITING_CODES)[number];
export const NEXT_ACTIONS = ['search', 'retry', 'verify', 'explain', 'open-arr', 'open-client', 'open-shoko', 'approve', 'keep'] as const;
export const WaitingSchema = z.object({
  code: z.enum(WAITING_CODES),
  text,
  since: iso,
  next: z.object({ action: z.enum(NEXT_ACTIONS), text }).optional(),
});
export type Waiting = z.infer<typeof WaitingSchema>;

/** When it will be ready: `at` within `low`..`high`, and on what basis; all null when there is none (never invented). */
export const EtaSchema = z.object({ at: iso.nullable(), low: iso.nullable(), high: iso.nullable(), basis: text });
export type Eta = z.infer<typeof EtaSchema>;

export interface TimelineEntry {
  at: string;
  source: Source;
  event: string;
  state: RequestState;
  detail: string;
  /** The same entry happened this many times in a row (absent: once), the last of them at `lastAt`. */
  count?: number;
  lastAt?: string;
}

/** The last health notice of a service instance (an arr's On Health Issue), until Health Restored clears it. */
export const ServiceHealthSchema = z.object({
  instance: text,
  source: text,
  level: nullableText,
  message: text,
  check: nullableText,
  at: iso,
});
export type ServiceHealth = z.infer<typeof ServiceHealthSchema>;
