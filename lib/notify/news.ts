import type { EpisodeNews, ServiceNotice, StateChange } from '../tracker/messages';
import { RequestSnapshotSchema, type RequestSnapshot } from '../snapshot-schema';
import { EPISODE_STATES, rank } from '../states';
import { episodeRanges } from '../tracker/timeline-text';

/**
 * What a household wants to hear about a request, from episode-state's state changes (and the same
 * messages from media-sync and media-action): the news kinds a media-notify can pass, and one
 * notification made of a request's news (several within a digest window make one).
 */

export const NEWS_KINDS = ['requested', 'approved', 'downloading', 'available', 'episodes', 'failed', 'attention', 'waiting', 'removed', 'health'] as const;
export type NewsKind = (typeof NEWS_KINDS)[number];
export const DEFAULT_NEWS: NewsKind[] = ['available', 'episodes', 'failed', 'attention'];
/** Never delayed by a digest. */
export const URGENT: NewsKind[] = ['failed', 'attention'];

export interface News {
  kind: NewsKind;
  request: RequestSnapshot;
  /** Episodes that became available with it. */
  episodes: EpisodeNews[];
}

/** The news a state change carries (none: nothing a household is told about). */
export function newsOf(change: StateChange): News[] {
  const { request, from, to } = change;
  const news: News[] = [];
  const add = (kind: NewsKind, episodes: EpisodeNews[] = []) => news.push({ kind, request, episodes });
  const moved = from !== to;
  if (moved && to === 'REQUESTED') add('requested');
  if (moved && to === 'APPROVED' && (from === null || from === 'REQUESTED')) add('approved');
  if (moved && (to === 'GRABBING' || to === 'DOWNLOADING') && (from === null || rank(from as RequestSnapshot['state']) < rank('GRABBING'))) add('downloading');
  // An airing show back to AVAILABLE with its new episode: that episode is the news, not the show.
  const again = request.availableAt !== null && request.availableAt !== request.updatedAt;
  if (moved && to === 'AVAILABLE' && !(again && change.episodes.length)) add('available', change.episodes);
  else if (change.episodes.length) add('episodes', change.episodes);
  if (moved && to === 'FAILED') add('failed');
  // Raised by this change (its flag is as new as the change); a person's own "retry requested" is no news to them.
  const attention = request.attention;
  if (attention && attention.kind !== 'retry' && attention.since === request.updatedAt && to !== 'FAILED') add('attention');
  // Still waiting: the tracker just found it made no progress for too long; why it waits is the news.
  if (attention?.kind === 'stuck' && attention.since === request.updatedAt && request.waiting) add('waiting');
  if (request.removedAt && request.removedAt === request.updatedAt) add('removed');
  return news;
}

export type Priority = 'low' | 'default' | 'high';

/** One notification, whatever service it goes to (the `generic` format's output). */
export interface Notification {
  /** What it says; `digest`: a person's weekly digest. */
  kind: NewsKind | 'digest';
  title: string;
  message: string;
  /** The status page's card for the request. */
  url: string;
  imageUrl: string | null;
  priority: Priority;
  tags: string[];
  requester: string | null;
  /** The request it is about; null for a service's health notice. */
  request: RequestSnapshot | null;
}

const nameOf = (r: RequestSnapshot) => (r.year ? `${r.title} (${r.year})` : r.title);
const HEADINGS: Record<NewsKind, string> = {
  requested: 'Requested',
  approved: 'Approved',
  downloading: 'Downloading',
  available: 'Available',
  episodes: 'New episodes',
  failed: 'Failed',
  attention: 'Needs attention',
  waiting: 'Still waiting',
  removed: 'Removed',
  health: 'Service health',
};
const TAGS: Record<NewsKind, string[]> = {
  requested: ['inbox_tray'],
  approved: ['thumbsup'],
  downloading: ['arrow_down'],
  available: ['white_check_mark'],
  episodes: ['tv'],
  failed: ['x'],
  attention: ['warning'],
  waiting: ['hourglass'],
  removed: ['wastebasket'],
  health: ['rotating_light'],
};

/** "season 1 is available (13 episodes)" when whole seasons moved, else "S01E01-E03, E07 are available". */
function episodesSentence(request: RequestSnapshot, episodes: EpisodeNews[]): string {
  const seasons = [...new Set(episodes.map((e) => e.season))].sort((a, b) => a - b);
  const whole = seasons.every((s) => {
    const tracked = request.episodes.filter((e) => e.season === s).length;
    return tracked > 0 && episodes.filter((e) => e.season === s).length === tracked;
  });
  if (whole && (seasons.length > 1 || episodes.length > 1)) {
    const label = seasons.length === 1 ? `season ${seasons[0]}` : `seasons ${seasons.join(', ')}`;
    return `${label} ${seasons.length === 1 ? 'is' : 'are'} available (${episodes.length} episodes)`;
  }
  return `${episodeRanges(episodes)} ${episodes.length === 1 ? 'is' : 'are'} available`;
}

/** The sentence a notification says, e.g. "Lycoris Recoil (2022): season 1 is available (13 episodes)". */
function sentence(kind: NewsKind, request: RequestSnapshot, episodes: EpisodeNews[]): string {
  const name = nameOf(request);
  switch (kind) {
    case 'requested':
      return `${name} was requested${request.requestedBy ? ` by ${request.requestedBy}` : ''}`;
    case 'approved':
      return `${name} was approved`;
    case 'downloading':
      return `${name} is downloading`;
    case 'available':
      return episodes.length && request.mediaType === 'tv' ? `${name}: ${episodesSentence(request, episodes)}` : `${name} is available`;
    case 'episodes':
      // An airing show's news: the show's name is enough.
      return `${request.title}: ${episodesSentence(request, episodes)}`;
    case 'failed':
      return `${name} failed${request.attention ? `: ${request.attention.reason}` : ''}`;
    case 'attention':
      return `${name} needs attention: ${request.attention?.reason ?? 'see its timeline'}`;
    case 'waiting': {
      const { waiting, eta } = request;
      const ready = eta?.at ? `; ready ≈ ${eta.at.slice(0, 16).replace('T', ' ')} UTC` : '';
      return `${name} is still waiting: ${waiting?.text ?? 'see its timeline'}${waiting?.next ? ` (${waiting.next.text})` : ''}${ready}`;
    }
    case 'removed':
      return `${name} was removed`;
    case 'health':
      return name;
  }
}

/** Where the status page is reached when no base URL is configured: Node-RED's own default. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:1880';

/** The link to a request's card on the status page. */
export function requestLink(baseUrl: string, request: Pick<RequestSnapshot, 'id'>, pagePath = '/media-status'): string {
  return `${baseUrl.replace(/\/+$/, '')}${pagePath}#request-${request.id}`;
}

/** One notification from a request's news (oldest first): its latest state, and every episode that moved. */
export function notificationOf(news: News[], baseUrl: string): Notification {
  const last = news[news.length - 1]!;
  const request = last.request;
  const episodes = [...new Map(news.flatMap((n) => n.episodes).map((e) => [`${e.season}:${e.episode}`, e])).values()].sort(
    (a, b) => a.season - b.season || a.episode - b.episode,
  );
  // The most telling kind wins: trouble, then availability, then the latest step.
  const kinds = news.map((n) => n.kind);
  const kind: NewsKind =
    (['waiting', 'attention', 'failed', 'removed', 'available', 'episodes'] as const).find(
      (k) => kinds.includes(k) && (k !== 'episodes' || !kinds.includes('available')),
    ) ?? last.kind;
  const urgent = URGENT.includes(kind);
  return {
    kind,
    title: `${HEADINGS[kind]}: ${nameOf(request)}`,
    message: sentence(kind, request, kind === 'available' || kind === 'episodes' ? episodes : []),
    url: requestLink(baseUrl, request),
    imageUrl: request.posterUrl && /^https?:\/\//.test(request.posterUrl) ? request.posterUrl : null,
    priority: urgent ? 'high' : kind === 'requested' || kind === 'approved' ? 'low' : 'default',
    tags: TAGS[kind],
    requester: request.requestedBy,
    request,
  };
}

/** What a "send a test notification" sends: a made-up film made available now, through the real format. */
export function sampleNews(now: Date): News[] {
  const at = now.toISOString();
  const request = RequestSnapshotSchema.parse({
    id: 1,
    title: 'Test notification from media status',
    year: null,
    mediaType: 'movie',
    isAnime: false,
    state: 'AVAILABLE',
    requestedBy: null,
    posterUrl: null,
    requestedSeasons: [],
    ids: { jellyseerrRequest: null, tmdb: null, tvdb: null, imdb: null, radarr: null, sonarr: null, jellyfin: null },
    is4k: false,
    instances: [],
    downloads: [],
    finalPath: null,
    episodeCounts: { total: 0, ...Object.fromEntries(EPISODE_STATES.map((state) => [state, 0])) },
    attention: null,
    episodes: [],
    upcoming: [],
    createdAt: at,
    updatedAt: at,
    stateChangedAt: at,
    availableAt: at,
    removedAt: null,
    deletion: null,
    progressAt: at,
  });
  return [{ kind: 'available', request, episodes: [] }];
}

/** A service's health notice (On Health Issue, Health Restored) as a notification to the household. */
export function healthNotification(notice: ServiceNotice, baseUrl: string, pagePath = '/media-status'): Notification {
  return {
    kind: 'health',
    title: `${notice.instance}: ${notice.restored ? 'health restored' : (notice.level ?? 'health issue')}`,
    message: notice.message,
    url: `${baseUrl.replace(/\/+$/, '')}${pagePath}`,
    imageUrl: null,
    priority: notice.restored ? 'low' : notice.level === 'error' ? 'high' : 'default',
    tags: TAGS.health,
    requester: null,
    request: null,
  };
}
