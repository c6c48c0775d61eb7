import type { MediaType } from '../events';
import type { RequestRecord } from '../model';
import type { RequestState } from '../states';
import { storedValues } from './keys';
import { CANDIDATE, stateOf, type CandidateRow } from './load';
import { LOOKUP_KEYS, type Key, type KeyedCandidate, type KeyQuery } from './lookup';

/** What the index holds of a request: what a lookup gives (see Candidate), and what it is found by. */
type Indexed = {
  state: RequestState;
  mediaType: MediaType;
  requestedSeasons: number[];
  is4k: boolean;
  jellyseerrRequest: number | null;
  tmdb: number | null;
  tvdb: number | null;
  imdb: string | null;
  downloads: string[];
};
/** One request's id, or several (a download two requests share, two requests for one movie). */
type Ids = number | number[];

/** The rows the index is built from: every request, and every download's request. */
export const INDEX_REQUESTS = `SELECT ${CANDIDATE}, r.media_type, r.tmdb, r.tvdb, r.imdb FROM requests r`;
export const INDEX_DOWNLOADS = 'SELECT id, request_id FROM downloads';
export type IndexRequestRow = CandidateRow & { media_type: MediaType; tmdb: number | null; tvdb: number | null; imdb: string | null };
export type IndexDownloadRow = { id: string; request_id: number };

const NO_SEASONS: number[] = [];

/** The keys a request is found by, each as its lookup names it. */
function keysOf(r: Indexed): [Key, string | number][] {
  const keys: [Key, string | number][] = [];
  for (const key of ['jellyseerrRequest', 'tmdb', 'tvdb', 'imdb'] as const) {
    const value = r[key];
    if (value !== null) keys.push([key, value]);
  }
  // A request holds a download once (its key in the table), but a key must count once whatever.
  for (const id of new Set(r.downloads)) keys.push(['downloadId', id]);
  return keys;
}

function sameKeys(a: Indexed, b: Indexed): boolean {
  return (
    a.jellyseerrRequest === b.jellyseerrRequest &&
    a.tmdb === b.tmdb &&
    a.tvdb === b.tvdb &&
    a.imdb === b.imdb &&
    a.downloads.length === b.downloads.length &&
    a.downloads.every((id, i) => id === b.downloads[i])
  );
}

/**
 * Every stored request's lookup keys (its Jellyseerr request, TMDB, TVDB and IMDb ids, its downloads)
 * and what correlation needs of it, in memory, so the writer's lookups (Lookup.byKeys) need no round
 * trip to SQLite. It answers what the same lookup in SQL would. Only the writer keeps it, from what it
 * writes, so it is valid while no other connection commits (see WriteTx).
 */
export class KeyIndex {
  private readonly requests = new Map<number, Indexed>();
  private readonly byKey: Record<Key, Map<string | number, Ids>> = {
    jellyseerrRequest: new Map(),
    downloadId: new Map(),
    tmdb: new Map(),
    tvdb: new Map(),
    imdb: new Map(),
  };

  static fromRows(requests: IndexRequestRow[], downloads: IndexDownloadRow[]): KeyIndex {
    const index = new KeyIndex();
    const downloadsOf = new Map<number, string[]>();
    for (const d of downloads) {
      const list = downloadsOf.get(d.request_id);
      if (list) list.push(d.id);
      else downloadsOf.set(d.request_id, [d.id]);
    }
    for (const row of requests) {
      index.add(row.id, {
        state: stateOf(row.state),
        mediaType: row.media_type,
        requestedSeasons: row.requested_seasons === '[]' ? NO_SEASONS : (JSON.parse(row.requested_seasons) as number[]),
        is4k: row.is4k === 1,
        jellyseerrRequest: row.jellyseerr_request,
        tmdb: row.tmdb,
        tvdb: row.tvdb,
        imdb: row.imdb,
        downloads: downloadsOf.get(row.id) ?? [],
      });
    }
    return index;
  }

  /** A request as it is now written. */
  put(record: RequestRecord): void {
    const { jellyseerrRequest, tmdb, tvdb, imdb } = record.ids;
    const indexed: Indexed = {
      state: record.state,
      mediaType: record.mediaType,
      requestedSeasons: record.requestedSeasons,
      is4k: record.is4k,
      jellyseerrRequest: jellyseerrRequest ?? null,
      tmdb: tmdb ?? null,
      tvdb: tvdb ?? null,
      imdb: imdb ?? null,
      downloads: record.downloads.map((d) => d.id),
    };
    const old = this.requests.get(record.id);
    // Most writes move a request's state, not its keys: the key maps stay as they are.
    if (old && sameKeys(old, indexed)) this.requests.set(record.id, indexed);
    else {
      this.remove(record.id);
      this.add(record.id, indexed);
    }
  }

  remove(id: number): void {
    const old = this.requests.get(id);
    if (!old) return;
    this.requests.delete(id);
    for (const [key, value] of keysOf(old)) {
      const map = this.byKey[key];
      const ids = map.get(value)!;
      const left = typeof ids === 'number' ? [] : ids.filter((other) => other !== id);
      if (!left.length) map.delete(value);
      else map.set(value, left.length === 1 ? left[0]! : left);
    }
  }

  /** Requests with any of the query's keys, newest first: media ids never across media types, download ids only when it names none. */
  lookup(query: KeyQuery): KeyedCandidate[] {
    const values = storedValues(query);
    const found: KeyedCandidate[] = [];
    for (const via of LOOKUP_KEYS) {
      const value = values[via];
      const ids = value === undefined ? undefined : this.byKey[via].get(value);
      if (ids === undefined) continue;
      for (const id of typeof ids === 'number' ? [ids] : ids) {
        const r = this.requests.get(id)!;
        if (via === 'jellyseerrRequest' || (query.mediaType ? r.mediaType === query.mediaType : via === 'downloadId'))
          found.push({ id, state: r.state, jellyseerrRequest: r.jellyseerrRequest, requestedSeasons: r.requestedSeasons, is4k: r.is4k, via });
      }
    }
    return found.sort((a, b) => b.id - a.id);
  }

  private add(id: number, indexed: Indexed): void {
    this.requests.set(id, indexed);
    for (const [key, value] of keysOf(indexed)) {
      const map = this.byKey[key];
      const ids = map.get(value);
      map.set(value, ids === undefined ? id : typeof ids === 'number' ? [ids, id] : [...ids, id]);
    }
  }
}
