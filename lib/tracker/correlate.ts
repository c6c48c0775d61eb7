import type { MediaBearingEvent, MediaType, ProgressEvent, ShokoFileEvent, TrackedEvent } from '../events';
import type { RequestState } from '../states';
import type { RequestRecord } from './model';
import { fileHolders, fileNameOf, matchShokoFile } from './paths';

/** What correlation needs to know about a stored request. */
export interface Candidate {
  id: number;
  state: RequestState;
  jellyseerrRequest: number | null;
  requestedSeasons: number[];
}

/** The keys a request is found by in one lookup. */
export type Key = 'jellyseerrRequest' | 'downloadId' | 'tmdb' | 'tvdb' | 'imdb';

export interface KeyQuery {
  /** Media ids and download ids never match across media types; without it a download id matches either. */
  mediaType?: MediaType;
  jellyseerrRequest?: number;
  downloadId?: string;
  tmdb?: number;
  tvdb?: number;
  imdb?: string;
}

/** A candidate and the key it was found by (a request found by two keys comes twice). */
export type KeyedCandidate = Candidate & { via: Key };

/** Read access to the store for correlation. Every list is newest first and never crosses media types. */
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
  /** The whole request, to decide among several by their files. */
  load(id: number): Promise<RequestRecord | undefined>;
}

export type Correlation =
  | { kind: 'match'; requestId: number; via: string }
  | { kind: 'create' }
  /** Nothing to match yet, but there may be soon: keep the event under this file name. */
  | { kind: 'pending'; fileName: string; reason: string }
  | { kind: 'unmatched'; reason: string };

type MediaEvent = MediaBearingEvent;

export interface CorrelateOptions {
  /** Create a request for an arr grab or import that matches none (media added straight in Radarr/Sonarr). */
  createFromArr: boolean;
}

const unfinished = (c: Candidate) => c.state !== 'AVAILABLE';
const available = (c: Candidate) => c.state === 'AVAILABLE';
const match = (c: Candidate, via: string): Correlation => ({ kind: 'match', requestId: c.id, via });

/** The media ids to try, in order: TV by TVDB then TMDB, movies by TMDB (then IMDb for Jellyfin, which may have only that). */
function mediaKeys(event: MediaEvent): [MediaKey, number | string][] {
  const { ids, mediaType } = event.media;
  const keys: [MediaKey, number | string | undefined][] =
    mediaType === 'tv'
      ? [
          ['tvdb', ids.tvdb],
          ['tmdb', ids.tmdb],
        ]
      : [['tmdb', ids.tmdb]];
  if (mediaType === 'movie' && event.source === 'jellyfin') keys.push(['imdb', ids.imdb]);
  return keys.filter((k): k is [MediaKey, number | string] => k[1] !== undefined);
}

/**
 * Everything an event is looked up by (Lookup.byKeys): its media ids, its Jellyseerr request, its
 * download. Undefined for events found otherwise (Shoko files, stuck findings) or that name no key.
 */
export function keyQueryOf(event: TrackedEvent): KeyQuery | undefined {
  if (event.kind === 'download-progress') return { downloadId: event.downloadId };
  if (event.kind === 'shoko-file' || event.kind === 'stuck') return undefined;
  const query: KeyQuery = { mediaType: event.media.mediaType, ...Object.fromEntries(mediaKeys(event)) };
  if (event.source === 'jellyseerr' && event.kind !== 'issue') query.jellyseerrRequest = event.media.ids.jellyseerrRequest;
  if ((event.source === 'radarr' || event.source === 'sonarr') && 'downloadId' in event) query.downloadId = event.downloadId;
  const { mediaType: _, ...keys } = query;
  return Object.values(keys).some((value) => value !== undefined) ? query : undefined;
}

function seasonsOf(event: MediaEvent): number[] {
  return 'episodes' in event ? [...new Set(event.episodes.map((e) => e.season))] : [];
}

/** Among several open requests for one show, the one that asked for these seasons; else the newest. */
function preferSeasons(candidates: Candidate[], seasons: number[]): Candidate | undefined {
  if (!seasons.length) return candidates[0];
  return candidates.find((c) => !c.requestedSeasons.length || seasons.some((s) => c.requestedSeasons.includes(s))) ?? candidates[0];
}

type KeyedCandidates = { via: Key; found: Candidate[] }[];
type MediaKey = 'tmdb' | 'tvdb' | 'imdb';

/** The event's one lookup (see keyQueryOf): its media ids' candidates in the order they are tried, and each key's. */
async function lookUp(lookup: Lookup, event: MediaEvent): Promise<{ media: KeyedCandidates; byKey: (via: Key) => Candidate[] }> {
  const query = keyQueryOf(event);
  const found = query ? await lookup.byKeys(query) : [];
  const byKey = (via: Key) => found.filter((c) => c.via === via);
  return { media: mediaKeys(event).map(([key]) => ({ via: key, found: byKey(key) })), byKey };
}

/** The first key, in order, with a candidate that passes `accept`. */
function firstAccepted(keyed: KeyedCandidates, accept: (c: Candidate) => boolean) {
  for (const { via, found } of keyed) {
    const accepted = found.filter(accept);
    if (accepted.length) return { via, found: accepted };
  }
  return undefined;
}

async function correlateJellyseerr(lookup: Lookup, event: MediaEvent): Promise<Correlation> {
  const { media: keyed, byKey } = await lookUp(lookup, event);
  const byRequest = byKey('jellyseerrRequest');
  if (event.kind === 'issue') {
    // Issues are about media in the library: any request for it, newest first.
    const any = firstAccepted(keyed, () => true);
    return any ? match(any.found[0], any.via) : { kind: 'unmatched', reason: 'no tracked request for this media' };
  }
  if (byRequest[0]) return match(byRequest[0], 'jellyseerrRequest');
  // An arr event may have created the request first; it has no Jellyseerr id yet. Another Jellyseerr
  // request (season 2 of a show) is never merged into it. Only "available" may finish an AVAILABLE one:
  // a new request for media that is already there must not land on the old row.
  const fromArr = (c: Candidate) => c.jellyseerrRequest === null;
  const open = firstAccepted(keyed, (c) => fromArr(c) && unfinished(c));
  if (open) return match(open.found[0], open.via);
  if (event.kind === 'available') {
    const done = firstAccepted(keyed, (c) => fromArr(c) && available(c));
    if (done) return match(done.found[0], done.via);
  }
  return { kind: 'create' };
}

async function correlateArr(lookup: Lookup, event: MediaEvent, options: CorrelateOptions): Promise<Correlation> {
  const { mediaType } = event.media;
  const seasons = seasonsOf(event);
  const { media: keyed, byKey } = await lookUp(lookup, event);
  const byDownload = byKey('downloadId');
  for (const accept of [unfinished, available]) {
    const found = byDownload.filter(accept);
    if (found.length) return match(found[0], 'downloadId');
    const media = firstAccepted(keyed, accept);
    if (media) return match(preferSeasons(media.found, seasons)!, media.via);
  }
  if (event.kind === 'grabbed' || event.kind === 'imported') {
    if (options.createFromArr) return { kind: 'create' };
    return { kind: 'unmatched', reason: 'no tracked request for this media, and creating requests from arr events is off' };
  }
  return { kind: 'unmatched', reason: `no tracked request for this ${mediaType === 'movie' ? 'movie' : 'series'}` };
}

async function correlateJellyfin(lookup: Lookup, event: Extract<TrackedEvent, { kind: 'available' }>): Promise<Correlation> {
  if (event.shokoFileId) {
    // A Shokofin item names its Shoko file: the surest key, whatever Jellyfin calls the item (an anime
    // movie re-categorised as a series special is still the movie's file).
    const byFile = await lookup.byShokoFileId(event.shokoFileId);
    for (const accept of [unfinished, available]) {
      const found = byFile.filter(accept);
      if (found.length) return match(found[0], 'shokoFileId');
    }
  }
  if (event.media.mediaType === 'movie') {
    if (!event.media.ids.tmdb && !event.media.ids.imdb) return { kind: 'unmatched', reason: 'the Jellyfin item has no TMDB or IMDb id' };
    const { media: keyed } = await lookUp(lookup, event);
    for (const accept of [unfinished, available]) {
      const media = firstAccepted(keyed, accept);
      if (media) return match(media.found[0], media.via);
    }
    return { kind: 'unmatched', reason: 'no tracked movie with these provider ids' };
  }
  // The verifier names the show's own ids; a webhook's Episode item names only the episode.
  const { media: keyed } = await lookUp(lookup, event);
  for (const accept of [unfinished, available]) {
    const media = firstAccepted(keyed, accept);
    if (media) return match(media.found[0], media.via);
  }
  const [first] = event.episodes;
  if (!first) return { kind: 'unmatched', reason: 'the Jellyfin item names no episode' };
  const [byTvdb, byName] = await Promise.all([
    first.tvdbId ? lookup.byEpisodeTvdb(first.tvdbId) : [],
    event.media.title ? lookup.bySeriesEpisode(event.media.title, first.season, first.episode) : [],
  ]);
  for (const accept of [unfinished, available]) {
    const tvdb = byTvdb.filter(accept);
    if (tvdb.length) return match(tvdb[0], 'episodeTvdb');
    const named = byName.filter(accept);
    if (named.length) return match(named[0], 'seriesEpisode');
  }
  return { kind: 'unmatched', reason: 'no tracked episode with this TVDB id or series name and numbers' };
}

/** Shoko file events: by file name among imported files, then decided by path (see paths.ts). */
async function correlateShokoFile(lookup: Lookup, event: ShokoFileEvent): Promise<Correlation> {
  const name = fileNameOf(event.relativePath);
  if (!name) return { kind: 'unmatched', reason: `${event.name} has an empty path` };
  const [byName, byFile] = await Promise.all([lookup.byFileName(name), event.fileId ? lookup.byShokoFileId(event.fileId) : []]);
  const ids = [...new Set([...byFile, ...byName].map((c) => c.id))];
  if (!ids.length) {
    // Shoko watches the folder and may be faster than the import webhook.
    if (event.action === 'gone' || event.action === 'moved') return { kind: 'unmatched', reason: `no imported file is named ${name}` };
    return { kind: 'pending', fileName: name, reason: `no imported file is named ${name} yet: kept until its import arrives` };
  }
  const records = (await Promise.all(ids.map((id) => lookup.load(id)))).filter((r): r is RequestRecord => !!r);
  const found = matchShokoFile(event, records.flatMap(fileHolders));
  if (found.kind === 'none') return { kind: 'unmatched', reason: found.reason };
  const requests = [...new Set(found.holders.map((h) => h.requestId))];
  if (requests.length > 1) return { kind: 'unmatched', reason: `${name} belongs to requests ${requests.join(' and ')}; add a path mapping` };
  return { kind: 'match', requestId: requests[0], via: found.via };
}

/** Download progress: the open request that depends on this download (a torrent serves one request). */
async function correlateProgress(lookup: Lookup, event: ProgressEvent): Promise<Correlation> {
  const found = (await lookup.byKeys(keyQueryOf(event)!)).filter(unfinished);
  return found.length ? match(found[0], 'downloadId') : { kind: 'unmatched', reason: 'no open request depends on this download' };
}

/** Which request (if any) an event is about. Pure decision logic; the SQL is behind `Lookup`. */
export async function correlate(lookup: Lookup, event: TrackedEvent, options: CorrelateOptions): Promise<Correlation> {
  if (event.kind === 'shoko-file') return correlateShokoFile(lookup, event);
  if (event.kind === 'download-progress') return correlateProgress(lookup, event);
  if (event.kind === 'stuck') return { kind: 'match', requestId: event.requestId, via: 'requestId' };
  switch (event.source) {
    case 'jellyseerr':
      return correlateJellyseerr(lookup, event);
    case 'radarr':
    case 'sonarr':
      return correlateArr(lookup, event, options);
    case 'jellyfin':
      if (event.kind !== 'available') return { kind: 'unmatched', reason: `Jellyfin ${event.kind} is not tracked` };
      return correlateJellyfin(lookup, event);
    case 'shoko': {
      // A TMDB movie added to Shoko's library: a signal about a movie we track, never a new request.
      const { media: keyed } = await lookUp(lookup, event);
      for (const accept of [unfinished, available]) {
        const found = firstAccepted(keyed, accept);
        if (found) return match(found.found[0], found.via);
      }
      return { kind: 'unmatched', reason: 'no tracked movie with this TMDB id' };
    }
    default:
      return { kind: 'unmatched', reason: `${event.source} events are not tracked yet` };
  }
}
