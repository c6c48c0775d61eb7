import type { ArrStatusEvent, MediaInfo } from '../../events';
import type { ArrKind } from '../../model';
import type { ArrEpisodeSchema, ArrMovieState } from './client';
import type { z } from 'zod';

type Episode = z.infer<typeof ArrEpisodeSchema>;

/**
 * What an arr's own record says about a request's media that is still waiting (monitored, released,
 * last searched, or not there at all), as an event the tracker keeps for its reason and ETA.
 */

const iso = (date: string | undefined) => (date ? new Date(date).toISOString() : null);

type Found = Omit<ArrStatusEvent['status'], 'at' | 'instance' | 'present'>;

/** What an arr's record of a waiting request's media says (`found`), or that it has none (undefined). */
function statusEvent(kind: ArrKind, requestId: number, media: MediaInfo, at: string, found: Found | undefined): ArrStatusEvent {
  const absent: Found = { monitored: false, released: false, releaseAt: null, releaseKind: null, lastSearchAt: null, episodes: [] };
  return {
    source: kind,
    at,
    kind: 'arr-status',
    requestId,
    media,
    status: { at, instance: media.instance ?? kind, present: found !== undefined, ...(found ?? absent) },
  };
}

/** Radarr's record of a waiting movie: monitored, released by its minimum availability (and which date decides it), last searched. */
export function movieStatusEvent(requestId: number, media: MediaInfo, movie: ArrMovieState, at: string): ArrStatusEvent {
  const releaseAt = iso(movie.releaseDate);
  const kinds = [
    ['digital', movie.digitalRelease],
    ['physical', movie.physicalRelease],
    ['cinemas', movie.inCinemas],
  ] as const;
  return statusEvent('radarr', requestId, media, at, {
    monitored: movie.monitored,
    released: movie.isAvailable ?? (releaseAt !== null && releaseAt <= at),
    releaseAt,
    releaseKind: releaseAt ? (kinds.find(([, date]) => iso(date) === releaseAt)?.[0] ?? null) : null,
    lastSearchAt: iso(movie.lastSearchTime),
    episodes: [],
  });
}

/**
 * Sonarr's record of a waiting show: monitored (the series, and some requested episode), the
 * requested episodes it has no file for (when each aired, when last searched), the next air date.
 */
export function showStatusEvent(
  requestId: number,
  media: MediaInfo,
  seriesMonitored: boolean,
  episodes: Episode[],
  seasons: number[],
  at: string,
): ArrStatusEvent {
  const inSeasons = episodes.filter((e) => (seasons.length ? seasons.includes(e.seasonNumber) : e.seasonNumber > 0));
  const missing = inSeasons.filter((e) => e.monitored && !e.hasFile);
  const now = Date.parse(at);
  const aired = (e: Episode) => !!e.airDateUtc && Date.parse(e.airDateUtc) <= now;
  const next = missing
    .filter((e) => e.airDateUtc && !aired(e))
    .map((e) => iso(e.airDateUtc)!)
    .sort()[0];
  const searches = missing.map((e) => iso(e.lastSearchTime)).filter((d): d is string => d !== null);
  return statusEvent('sonarr', requestId, media, at, {
    monitored: seriesMonitored && inSeasons.some((e) => e.monitored),
    released: missing.some(aired),
    releaseAt: next ?? null,
    releaseKind: next ? 'air' : null,
    lastSearchAt: searches.sort().at(-1) ?? null,
    episodes: missing.map((e) => ({ season: e.seasonNumber, episode: e.episodeNumber, airDate: iso(e.airDateUtc), lastSearchAt: iso(e.lastSearchTime) })),
  });
}

/** An arr looked for a waiting request's media by its id and has none. */
export function absentEvent(requestId: number, media: MediaInfo, kind: ArrKind, at: string): ArrStatusEvent {
  return statusEvent(kind, requestId, media, at, undefined);
}
