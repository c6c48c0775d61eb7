import type { MediaEvent, MediaInfo } from '../../events';
import type { SeerrRequest, SeerrTitle } from './client';

/**
 * A Jellyseerr request as the events its webhooks would have sent (same kinds, so the same facts):
 * what the request's status says (pending, approved, declined, failed, completed), then what its
 * media's status says (available, deleted). Enums: service-apis.md 5.1.
 */

const REQUEST = { PENDING: 1, APPROVED: 2, DECLINED: 3, FAILED: 4, COMPLETED: 5 } as const;
const MEDIA = { AVAILABLE: 5, DELETED: 7 } as const;

export function seerrMedia(request: SeerrRequest, title: SeerrTitle | undefined): MediaInfo {
  const { media } = request;
  const arrId = (request.is4k ? media.externalServiceId4k : media.externalServiceId) ?? undefined;
  return {
    mediaType: request.type,
    ids: {
      jellyseerrRequest: request.id,
      tmdb: media.tmdbId > 0 ? media.tmdbId : undefined,
      tvdb: media.tvdbId && media.tvdbId > 0 ? media.tvdbId : undefined,
      imdb: media.imdbId || undefined,
      ...(arrId && arrId > 0 ? { [request.type === 'movie' ? 'radarr' : 'sonarr']: arrId } : {}),
    },
    title: title?.title,
    year: title?.year,
    posterUrl: title?.posterUrl,
    requestedBy: request.requestedBy?.displayName || request.requestedBy?.username || undefined,
    requestedSeasons: request.type === 'tv' ? request.seasons.map((s) => s.seasonNumber).sort((a, b) => a - b) : undefined,
    is4k: request.is4k,
  };
}

/**
 * `at` is when the sync learned it. A request and its approval are stamped with the request's own
 * creation time (Jellyseerr keeps no approval time, and its updatedAt is not refreshed in v2.6-3.1),
 * so a first sync's timeline reads in the order things happened: requested, then the arr's grabs.
 */
export function seerrEvents(request: SeerrRequest, at: string, title?: SeerrTitle): MediaEvent[] {
  const media = seerrMedia(request, title);
  const base = { source: 'jellyseerr', at, media } as const;
  const created = { ...base, at: Date.parse(request.createdAt) < Date.parse(at) ? new Date(request.createdAt).toISOString() : at };
  const events: MediaEvent[] = [];
  switch (request.status) {
    case REQUEST.PENDING:
      events.push({ ...created, kind: 'requested' });
      break;
    case REQUEST.APPROVED:
    case REQUEST.COMPLETED:
      events.push({ ...created, kind: 'approved', auto: false });
      break;
    case REQUEST.DECLINED:
      events.push({ ...base, kind: 'declined', reason: 'declined in Jellyseerr' });
      break;
    case REQUEST.FAILED:
      events.push({ ...base, kind: 'failed', reason: `Jellyseerr could not send the request to ${request.type === 'movie' ? 'Radarr' : 'Sonarr'}` });
      break;
  }
  // Before Seerr 2.6 a fulfilled request stays APPROVED: the media's status says it is there.
  const mediaStatus = request.is4k ? request.media.status4k : request.media.status;
  if (request.status === REQUEST.APPROVED || request.status === REQUEST.COMPLETED) {
    if (mediaStatus === MEDIA.AVAILABLE) events.push({ ...base, kind: 'available', episodes: [] });
    if (mediaStatus === MEDIA.DELETED) events.push({ ...base, kind: 'deleted', what: 'media', episodes: [], reason: 'deleted according to Jellyseerr' });
  }
  return events;
}

/** What decides a request's events: when it is the same as last time, there is nothing to send. */
export function seerrFingerprint(request: SeerrRequest): string {
  const { media } = request;
  return JSON.stringify([request.status, media.status, media.status4k, request.seasons.map((s) => [s.seasonNumber, s.status]), request.is4k]);
}
