import type { MediaBearingEvent, ProgressEvent, ShokoFileEvent, Source, TrackedEvent } from '../events';
import { fileNameOf } from '../file-path';
import type { RequestRecord } from '../model';
import type { Candidate, Key, KeyedCandidate, KeyQuery, Lookup } from '../store/lookup';
import { fileHolders, matchShokoFile } from './paths';

/** Which request (if any) an event is about. Pure decision logic; the SQL is behind `Lookup`. */

export type Correlation =
  | { kind: 'match'; requestId: number; via: string }
  | { kind: 'create' }
  /** Nothing to match yet, but there may be soon: keep the event under this file name. */
  | { kind: 'pending'; fileName: string; reason: string }
  | { kind: 'unmatched'; reason: string };

export interface CorrelateOptions {
  /** Create a request for an arr grab or import that matches none (media added straight in Radarr/Sonarr). */
  createFromArr: boolean;
}

/**
 * What a service is to a request, which decides how its events are matched: the requester asks
 * (Jellyseerr), the downloader grabs and imports (Radarr, Sonarr), the player confirms it plays
 * (Jellyfin), the matcher links anime files (Shoko).
 */
type Role = 'requester' | 'downloader' | 'player' | 'matcher';
const ROLES: Partial<Record<Source, Role>> = { jellyseerr: 'requester', radarr: 'downloader', sonarr: 'downloader', jellyfin: 'player', shoko: 'matcher' };

type MediaKey = 'tmdb' | 'tvdb' | 'imdb';

/** The media ids to try, in order: TV by TVDB then TMDB, movies by TMDB (then IMDb for the player, which may have only that). */
function mediaKeys(event: MediaBearingEvent): [MediaKey, number | string][] {
  const { ids, mediaType } = event.media;
  const keys: [MediaKey, number | string | undefined][] =
    mediaType === 'tv'
      ? [
          ['tvdb', ids.tvdb],
          ['tmdb', ids.tmdb],
        ]
      : [['tmdb', ids.tmdb]];
  if (mediaType === 'movie' && ROLES[event.source] === 'player') keys.push(['imdb', ids.imdb]);
  return keys.filter((k): k is [MediaKey, number | string] => k[1] !== undefined);
}

/**
 * Everything an event is looked up by (Lookup.byKeys): its media ids, the requester's request, the
 * downloader's download. Undefined for events found otherwise (Shoko files, stuck findings) or that name no key.
 */
function keyQueryOf(event: TrackedEvent): KeyQuery | undefined {
  if (event.kind === 'download-progress') return { downloadId: event.downloadId };
  if (event.kind === 'shoko-file' || event.kind === 'stuck' || event.kind === 'episodes-listed' || event.kind === 'arr-status' || event.kind === 'action')
    return undefined;
  const query: KeyQuery = { mediaType: event.media.mediaType, ...Object.fromEntries(mediaKeys(event)) };
  const role = ROLES[event.source];
  if (role === 'requester' && event.kind !== 'issue') query.jellyseerrRequest = event.media.ids.jellyseerrRequest;
  if (role === 'downloader' && 'downloadId' in event) query.downloadId = event.downloadId;
  const { mediaType: _, ...keys } = query;
  return Object.values(keys).some((value) => value !== undefined) ? query : undefined;
}

const unfinished = (c: Candidate) => c.state !== 'AVAILABLE';
const available = (c: Candidate) => c.state === 'AVAILABLE';
const match = (c: Candidate, via: string): Correlation => ({ kind: 'match', requestId: c.id, via });

/**
 * The first match `find` gives among unfinished requests, else among AVAILABLE ones (an upgrade, or
 * a late word about finished media): an open request always wins over a finished one.
 */
function openFirst(find: (accept: (c: Candidate) => boolean) => Correlation | undefined): Correlation | undefined {
  return find(unfinished) ?? find(available);
}

/** The first accepted candidate of a list, as a match (`choose` picks among the accepted ones). */
function first(found: Candidate[], via: string, accept: (c: Candidate) => boolean, choose = (list: Candidate[]) => list[0]): Correlation | undefined {
  const chosen = choose(found.filter(accept));
  return chosen && match(chosen, via);
}

type KeyedCandidates = { via: Key; found: Candidate[] }[];

/** The event's lookup (see keyQueryOf): its media ids' candidates in the order they are tried, and each key's. */
async function lookUp(
  lookup: Lookup,
  query: KeyQuery | undefined,
  event: MediaBearingEvent,
): Promise<{ media: KeyedCandidates; byKey: (via: Key) => Candidate[] }> {
  const found: KeyedCandidate[] = query ? await lookup.byKeys(query) : [];
  const byKey = (via: Key) => found.filter((c) => c.via === via);
  return { media: mediaKeys(event).map(([key]) => ({ via: key, found: byKey(key) })), byKey };
}

/** The first media key, in order, with an accepted candidate (`choose` picks among that key's). */
function byMedia(keyed: KeyedCandidates, accept: (c: Candidate) => boolean, choose?: (list: Candidate[]) => Candidate | undefined): Correlation | undefined {
  for (const { via, found } of keyed) {
    const found1 = first(found, via, accept, choose);
    if (found1) return found1;
  }
  return undefined;
}

function seasonsOf(event: MediaBearingEvent): number[] {
  return 'episodes' in event ? [...new Set(event.episodes.map((e) => e.season))] : [];
}

/** Among several open requests for one show, the one that asked for these seasons; else the newest. */
function preferSeasons(seasons: number[]) {
  return (candidates: Candidate[]) =>
    seasons.length
      ? (candidates.find((c) => !c.requestedSeasons.length || seasons.some((s) => c.requestedSeasons.includes(s))) ?? candidates[0])
      : candidates[0];
}

/**
 * A 4K request and an HD one for the same media are two requests: an event from a 4K instance (or
 * about a 4K request) only ever matches a 4K request, and the other way round.
 */
function sameTier(event: MediaBearingEvent) {
  const is4k = event.media.is4k ?? false;
  return (accept: (c: Candidate) => boolean) => (c: Candidate) => c.is4k === is4k && accept(c);
}

async function correlateRequester(lookup: Lookup, query: KeyQuery | undefined, event: MediaBearingEvent): Promise<Correlation> {
  const { media, byKey } = await lookUp(lookup, query, event);
  if (event.kind === 'issue') {
    // Issues are about media in the library: any request for it, newest first.
    return byMedia(media, () => true) ?? { kind: 'unmatched', reason: 'no tracked request for this media' };
  }
  const [byRequest] = byKey('jellyseerrRequest');
  if (byRequest) return match(byRequest, 'jellyseerrRequest');
  // A downloader's event may have created the request first; it has no Jellyseerr id yet. Another
  // Jellyseerr request (season 2 of a show) is never merged into it. Only "available" may finish an
  // AVAILABLE one: a new request for media that is already there must not land on the old row.
  const tier = sameTier(event);
  const fromArr = (c: Candidate) => c.jellyseerrRequest === null;
  const open = byMedia(
    media,
    tier((c) => fromArr(c) && unfinished(c)),
  );
  if (open) return open;
  if (event.kind === 'available') {
    const done = byMedia(
      media,
      tier((c) => fromArr(c) && available(c)),
    );
    if (done) return done;
  }
  return { kind: 'create' };
}

async function correlateDownloader(lookup: Lookup, query: KeyQuery | undefined, event: MediaBearingEvent, options: CorrelateOptions): Promise<Correlation> {
  const { media, byKey } = await lookUp(lookup, query, event);
  const byDownload = byKey('downloadId');
  const tier = sameTier(event);
  const found = openFirst((accept) => first(byDownload, 'downloadId', tier(accept)) ?? byMedia(media, tier(accept), preferSeasons(seasonsOf(event))));
  if (found) return found;
  if (event.kind === 'grabbed' || event.kind === 'imported') {
    if (options.createFromArr) return { kind: 'create' };
    return { kind: 'unmatched', reason: 'no tracked request for this media, and creating requests from arr events is off' };
  }
  return { kind: 'unmatched', reason: `no tracked request for this ${event.media.mediaType === 'movie' ? 'movie' : 'series'}` };
}

/** Jellyfin: an item that plays (available) or was removed (deleted), found by its Shoko file, its provider ids, or its episode. */
async function correlatePlayer(
  lookup: Lookup,
  query: KeyQuery | undefined,
  event: Extract<TrackedEvent, { kind: 'available' | 'deleted' }>,
): Promise<Correlation> {
  if (event.kind === 'available' && event.shokoFileId) {
    // A Shokofin item names its Shoko file: the surest key, whatever Jellyfin calls the item (an anime
    // movie re-categorised as a series special is still the movie's file).
    const byFile = await lookup.byShokoFileId(event.shokoFileId);
    const found = openFirst((accept) => first(byFile, 'shokoFileId', accept));
    if (found) return found;
  }
  if (event.media.mediaType === 'movie') {
    if (!event.media.ids.tmdb && !event.media.ids.imdb) return { kind: 'unmatched', reason: 'the Jellyfin item has no TMDB or IMDb id' };
    const { media } = await lookUp(lookup, query, event);
    return openFirst((accept) => byMedia(media, accept)) ?? { kind: 'unmatched', reason: 'no tracked movie with these provider ids' };
  }
  // The verifier names the show's own ids; a webhook's Episode item names only the episode.
  const { media } = await lookUp(lookup, query, event);
  const byShow = openFirst((accept) => byMedia(media, accept));
  if (byShow) return byShow;
  const [episode] = event.episodes;
  if (!episode) return { kind: 'unmatched', reason: 'the Jellyfin item names no episode' };
  const [byTvdb, byName] = await Promise.all([
    episode.tvdbId ? lookup.byEpisodeTvdb(episode.tvdbId) : [],
    event.media.title ? lookup.bySeriesEpisode(event.media.title, episode.season, episode.episode) : [],
  ]);
  return (
    openFirst((accept) => first(byTvdb, 'episodeTvdb', accept) ?? first(byName, 'seriesEpisode', accept)) ?? {
      kind: 'unmatched',
      reason: 'no tracked episode with this TVDB id or series name and numbers',
    }
  );
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
  const [requestId, ...others] = new Set(found.holders.map((h) => h.requestId));
  if (requestId === undefined) return { kind: 'unmatched', reason: `no imported file is named ${name}` };
  if (others.length) return { kind: 'unmatched', reason: `${name} belongs to requests ${[requestId, ...others].join(' and ')}; add a path mapping` };
  return { kind: 'match', requestId, via: found.via };
}

/** Download progress: the open request that depends on this download (a torrent serves one request). */
async function correlateProgress(lookup: Lookup, event: ProgressEvent): Promise<Correlation> {
  const found = await lookup.byKeys({ downloadId: event.downloadId });
  return first(found, 'downloadId', unfinished) ?? { kind: 'unmatched', reason: 'no open request depends on this download' };
}

export async function correlate(lookup: Lookup, event: TrackedEvent, options: CorrelateOptions): Promise<Correlation> {
  const query = keyQueryOf(event);
  if (event.kind === 'shoko-file') return correlateShokoFile(lookup, event);
  if (event.kind === 'download-progress') return correlateProgress(lookup, event);
  if (event.kind === 'stuck' || event.kind === 'episodes-listed' || event.kind === 'arr-status' || event.kind === 'action')
    return { kind: 'match', requestId: event.requestId, via: 'requestId' };
  switch (ROLES[event.source]) {
    case 'requester':
      return correlateRequester(lookup, query, event);
    case 'downloader':
      return correlateDownloader(lookup, query, event, options);
    case 'player':
      if (event.kind !== 'available' && event.kind !== 'deleted') return { kind: 'unmatched', reason: `Jellyfin ${event.kind} is not tracked` };
      return correlatePlayer(lookup, query, event);
    case 'matcher': {
      // A TMDB movie added to Shoko's library: a signal about a movie we track, never a new request.
      const { media } = await lookUp(lookup, query, event);
      return openFirst((accept) => byMedia(media, accept)) ?? { kind: 'unmatched', reason: 'no tracked movie with this TMDB id' };
    }
    default:
      return { kind: 'unmatched', reason: `${event.source} events are not tracked yet` };
  }
}
