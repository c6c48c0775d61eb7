import type { MediaIds, MediaType } from '../events';
import type { RequestRecord, ServiceHealth, TimelineEntry } from '../model';
import type { RequestState } from '../states';

/**
 * What the tracker may ask of the store inside a write transaction. The tracker depends on these
 * interfaces only; lib/store implements them.
 */

/** What correlation needs to know about a stored request. */
export interface Candidate {
  id: number;
  state: RequestState;
  jellyseerrRequest: number | null;
  requestedSeasons: number[];
  is4k: boolean;
}

/** The keys a request is found by in one lookup. */
export const LOOKUP_KEYS = ['jellyseerrRequest', 'downloadId', 'tmdb', 'tvdb', 'imdb'] as const;
export type Key = (typeof LOOKUP_KEYS)[number];

/** An event's lookup: its Jellyseerr request, its download and the media ids it names. */
export type KeyQuery = Pick<MediaIds, 'jellyseerrRequest' | 'tmdb' | 'tvdb' | 'imdb'> & {
  /** Media ids and download ids never match across media types; without it a download id matches either. */
  mediaType?: MediaType;
  downloadId?: string;
};

/** A candidate and the key it was found by (a request found by two keys comes twice). */
export type KeyedCandidate = Candidate & { via: Key };

/** Read access for correlation. Every list is newest first and never crosses media types. */
export interface Lookup {
  /** Requests with any of these keys, in one lookup: newest first within each key. */
  byKeys(query: KeyQuery): Promise<KeyedCandidate[]>;
  /** TV requests that track an episode with this (episode) TVDB id. */
  byEpisodeTvdb(tvdbId: number): Promise<Candidate[]>;
  /** TV requests titled like the series (case-insensitive) that track this episode. */
  bySeriesEpisode(title: string, season: number, episode: number): Promise<Candidate[]>;
  /** Requests (any media type) holding an imported file of this name. */
  byFileName(name: string): Promise<Candidate[]>;
  /** Requests (any media type) whose movie or episode Shoko matched as this file. */
  byShokoFileId(fileId: number): Promise<Candidate[]>;
  /** The stored request (treat it as read-only: the reducer works on a copy). */
  load(id: number): Promise<RequestRecord | undefined>;
}

/** Everything a write job may do: correlate, check facts, save, keep events for later. */
export interface RequestTx extends Lookup {
  /** Which of an event's facts the request does not hold yet. None: the event is a duplicate. */
  newFacts(requestId: number, facts: string[]): Promise<string[]>;
  /** Insert a new request with its episodes, downloads, first timeline entry and facts. Returns it with its id. */
  create(record: RequestRecord, entry: TimelineEntry, facts: string[]): Promise<RequestRecord>;
  /**
   * Write what changed between `before` and `after` (same id), the timeline entry and the new facts.
   * Episodes that are the same objects in both are unchanged (the reducer copies an episode it changes).
   */
  update(before: RequestRecord, after: RequestRecord, entry: TimelineEntry | null, facts: string[]): Promise<RequestRecord>;
  /** Keep an event that matched nothing yet (a Shoko file seen before its import), under its file name. */
  keepPending(fileName: string, event: unknown, at: string): Promise<void>;
  /** Remove and return the kept events for these file names, oldest first. */
  takePending(fileNames: string[]): Promise<unknown[]>;
  /** Keep a service's health notice as its instance's last (Health), or clear it (Health Restored). */
  noteHealth(notice: ServiceHealth | { instance: string; cleared: true }): Promise<void>;
}

/** Runs write jobs one at a time in arrival order, each settling after its data is committed. */
export interface RequestWriter {
  write<T>(job: (tx: RequestTx) => Promise<T>): Promise<T>;
}
