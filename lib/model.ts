import { z } from 'zod';
import { ArrStatusSchema, RejectionsSchema, type MediaIds, type MediaType, type PendingDeletion, type Source } from './events';
import { EPISODE_STATES, type EpisodeState, type RequestState } from './states';

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

export interface EpisodeRecord {
  season: number;
  episode: number;
  title: string | null;
  state: EpisodeState;
  downloadId: string | null;
  finalPath: string | null;
  /** The episode's own TVDB id: the key a Jellyfin Episode item names it by. Not part of the public snapshot. */
  tvdbId: number | null;
  jellyfinId: string | null;
  /** The Shoko file once Shoko matched it (anime). Not part of the public snapshot. */
  shokoFileId: number | null;
  /** 0..1 while its download runs (its own file inside a season pack), 1 once downloaded, null before. */
  progress: number | null;
  /** When it first became AVAILABLE. */
  availableAt: string | null;
  /** When it was deleted (in an arr, Jellyfin or Shoko); null while it is there or after a new grab. */
  removedAt: string | null;
}

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

/** Every media id a request knows (the ids events name, see MediaIdsSchema), null where unknown. */
export type RequestIds = { [K in keyof MediaIds]-?: NonNullable<MediaIds[K]> | null };

/** A request as the tracker holds it: the public snapshot plus the fields the state machine needs. */
export interface RequestRecord {
  /** 0 until the store has saved it. */
  id: number;
  mediaType: MediaType;
  title: string | null;
  year: number | null;
  isAnime: boolean;
  /** The request's own stage: a movie's whole state, a TV request's state until it has episodes. */
  stage: RequestState;
  /** Derived: `stage` for movies, the episodes' aggregate for TV. */
  state: RequestState;
  requestedBy: string | null;
  posterUrl: string | null;
  /** Who supplied title, year and poster: a more authoritative source replaces them (see reduce.ts). */
  infoSource: Source | null;
  requestedSeasons: number[];
  /** Non-4K ids: a 4K instance's ids are only in `instances`. */
  ids: RequestIds;
  /** A 4K request (Jellyseerr's is4k, or media first seen in a 4K instance): only 4K instances' events apply. */
  is4k: boolean;
  instances: ArrPlacement[];
  /** Episodes announced but not aired (TV); they do not hold the request back. */
  upcoming: UpcomingEpisode[];
  /** A movie's current download. */
  downloadId: string | null;
  finalPath: string | null;
  /** A movie's Shoko file, once Shoko matched it. */
  shokoFileId: number | null;
  attention: Attention | null;
  episodes: EpisodeRecord[];
  downloads: DownloadRecord[];
  createdAt: string;
  updatedAt: string;
  stateChangedAt: string;
  availableAt: string | null;
  /** Set when every item it holds was deleted; cleared by a new grab. */
  removedAt: string | null;
  /** The deletion the tracker will pass on for that removal, while it waits. */
  deletion: PendingDeletion | null;
  /** The last time anything moved forward (a stage, or download progress): stuck detection counts from here. */
  progressAt: string;
  /** What the arr's records said when the sync last read them (before a grab), or null. */
  arr: ArrStatus | null;
  /** What the last explain action found in the arr's release search, or null. */
  rejections: Rejections | null;
}

/** What an arr's records say of a request's media before it is grabbed: held on the request, read by the sync. */
export type ArrStatus = z.infer<typeof ArrStatusSchema> & { searches: number };
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
