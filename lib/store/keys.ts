import type { RequestRecord } from '../model';
import { LOOKUP_KEYS, type Key, type KeyQuery } from './lookup';

/**
 * One encoding for what a write can change and a read can see: a request by its id, by each lookup
 * key, and the kept Shoko events. Write-behind (see TxConnection) compares these.
 */

const encode = (kind: string, value: string | number) => `${kind}:${value}`;

export const requestKey = (id: number) => encode('id', id);

/** The kept Shoko events (pending_events): one key for the whole table. */
export const PENDING_KEY = encode('pending', '*');

/** A lookup's values as stored: download ids upper case. */
export function storedValues(query: KeyQuery): Partial<Record<Key, string | number>> {
  return { jellyseerrRequest: query.jellyseerrRequest, downloadId: query.downloadId?.toUpperCase(), tmdb: query.tmdb, tvdb: query.tvdb, imdb: query.imdb };
}

export function lookupKeys(query: KeyQuery): string[] {
  const values = storedValues(query);
  return LOOKUP_KEYS.flatMap((key) => (values[key] === undefined ? [] : [encode(key, values[key])]));
}

/** Every key a request can be read by: what a write to it could change. */
export function recordKeys(r: RequestRecord): string[] {
  const { jellyseerrRequest, tmdb, tvdb, imdb } = r.ids;
  const mediaKeys = lookupKeys({
    jellyseerrRequest: jellyseerrRequest ?? undefined,
    tmdb: tmdb ?? undefined,
    tvdb: tvdb ?? undefined,
    imdb: imdb ?? undefined,
  });
  // Every episode's download is one of the request's downloads (see deriveDownloads); the movie's too.
  const downloads = [r.downloadId, ...r.downloads.map((d) => d.id)].flatMap((id) => (id ? [encode('downloadId', id.toUpperCase())] : []));
  return [requestKey(r.id), ...mediaKeys, ...downloads];
}
