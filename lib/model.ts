import type { MediaIds, MediaType, Source } from './events';
import type { EpisodeState, RequestState } from './states';

/** What needs a human beyond the stage: stuck, a manual link in Shoko, manual interaction in an arr, an issue. */
export interface Attention {
  kind: 'manual-interaction' | 'declined' | 'failed' | 'issue' | 'stuck' | 'needs-link' | 'import-blocked' | 'download-failed' | 'retry';
  reason: string;
  since: string;
}

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
export interface UpcomingEpisode {
  season: number;
  episode: number;
  title: string | null;
  /** ISO-8601 UTC; null when Sonarr has no date yet. */
  airDate: string | null;
}

/** An arr instance a request's media lives in (a 4K Radarr beside the HD one). */
export interface ArrInstance {
  name: string;
  kind: 'radarr' | 'sonarr';
  is4k: boolean;
  /** The movie's or series' id in that instance. */
  id: number;
}

export interface DownloadRecord {
  id: string;
  /** 0..1, as qBittorrent reports it. */
  progress: number;
  state: Extract<RequestState, 'GRABBING' | 'DOWNLOADING' | 'DOWNLOADED' | 'FAILED'>;
  /** bytes per second while downloading, else null */
  speed: number | null;
  /** seconds left while downloading when the client knows, else null */
  etaSeconds: number | null;
  /** The arr instance that grabbed it (a webhook's `?instance=`, a sync's server node), when known. */
  instance: string | null;
}

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
  instances: ArrInstance[];
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
  /** The last time anything moved forward (a stage, or download progress): stuck detection counts from here. */
  progressAt: string;
}

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

export type EpisodeCounts = { total: number } & Record<EpisodeState, number>;

/** The public JSON (README, "Request snapshot"). */
export interface RequestSnapshot {
  id: number;
  title: string;
  year: number | null;
  mediaType: MediaType;
  isAnime: boolean;
  state: RequestState;
  requestedBy: string | null;
  posterUrl: string | null;
  requestedSeasons: number[];
  ids: RequestIds;
  is4k: boolean;
  instances: ArrInstance[];
  downloads: DownloadRecord[];
  finalPath: string | null;
  episodeCounts: EpisodeCounts;
  attention: Attention | null;
  episodes: Pick<EpisodeRecord, 'season' | 'episode' | 'title' | 'state' | 'downloadId' | 'finalPath' | 'progress' | 'availableAt' | 'removedAt'>[];
  upcoming: UpcomingEpisode[];
  createdAt: string;
  updatedAt: string;
  stateChangedAt: string;
  availableAt: string | null;
  removedAt: string | null;
  progressAt: string;
}

export type RequestDetail = RequestSnapshot & { timeline: TimelineEntry[] };
