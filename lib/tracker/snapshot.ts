import { EPISODE_STATES } from '../states';
import type { EpisodeRecord, RequestRecord, ServiceHealth, TimelineEntry } from '../model';
import type { EpisodeCounts, RequestSnapshot } from '../snapshot-schema';
import { inTurns } from '../big-events';
import { episodeEta, requestEta } from './eta';
import type { OutlookView } from './outlook';
import { attentionWaiting, episodeWaiting, requestWaiting } from './waiting';

export function displayTitle(record: Pick<RequestRecord, 'title' | 'mediaType' | 'ids'>): string {
  if (record.title) return record.title;
  const { tmdb, tvdb } = record.ids;
  if (record.mediaType === 'tv') return tvdb ? `TVDB ${tvdb}` : `TMDB show ${tmdb ?? '?'}`;
  return `TMDB movie ${tmdb ?? '?'}`;
}

export function episodeCounts(record: Pick<RequestRecord, 'episodes'>): EpisodeCounts {
  const counts = { total: record.episodes.length } as EpisodeCounts;
  for (const state of EPISODE_STATES) counts[state] = 0;
  for (const episode of record.episodes) counts[episode.state]++;
  return counts;
}

type EpisodeSnapshot = RequestSnapshot['episodes'][number];

/** Episodes of a request as its snapshot shows them. */
function episodeSnapshots(
  record: RequestRecord,
  view: OutlookView,
  attention: ReturnType<typeof attentionWaiting>,
  episodes: EpisodeRecord[],
): EpisodeSnapshot[] {
  return episodes.map((e) => {
    const waiting = episodeWaiting(record, e, view, attention);
    const { season, episode, title, state, downloadId, finalPath, progress, availableAt, removedAt } = e;
    return { season, episode, title, state, downloadId, finalPath, progress, availableAt, removedAt, waiting, eta: episodeEta(record, e, waiting, view) };
  });
}

function withEpisodes(record: RequestRecord, view: OutlookView, episodes: EpisodeSnapshot[]): RequestSnapshot {
  const waiting = requestWaiting(record, view);
  return {
    id: record.id,
    title: displayTitle(record),
    year: record.year,
    mediaType: record.mediaType,
    isAnime: record.isAnime,
    state: record.state,
    requestedBy: record.requestedBy,
    posterUrl: record.posterUrl,
    requestedSeasons: record.requestedSeasons,
    ids: { ...record.ids },
    is4k: record.is4k,
    instances: record.instances.map((i) => ({ ...i })),
    downloads: record.downloads.map((d) => ({ ...d })),
    finalPath: record.finalPath,
    episodeCounts: episodeCounts(record),
    attention: record.attention,
    episodes,
    upcoming: record.upcoming.map((u) => ({ ...u })),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    stateChangedAt: record.stateChangedAt,
    availableAt: record.availableAt,
    removedAt: record.removedAt,
    deletion: record.deletion,
    progressAt: record.progressAt,
    rejections: record.rejections,
    waiting,
    eta: requestEta(
      record,
      waiting,
      episodes.map((e) => e.eta),
      view,
    ),
  };
}

/** The public JSON of a request, with why it waits and when it will be ready as seen from `view`. */
export function toSnapshot(record: RequestRecord, view: OutlookView): RequestSnapshot {
  return withEpisodes(record, view, episodeSnapshots(record, view, attentionWaiting(record), record.episodes));
}

/** toSnapshot, a thousand episodes a turn of the event loop: a long show's takes tens of milliseconds. */
export async function toSnapshotInTurns(record: RequestRecord, view: OutlookView): Promise<RequestSnapshot> {
  const attention = attentionWaiting(record);
  return withEpisodes(record, view, await inTurns(record.episodes, (slice) => episodeSnapshots(record, view, attention, slice)));
}

/** What the household's status page shows: the snapshot without file paths or download hashes. */
export type PublicSnapshot = Omit<RequestSnapshot, 'finalPath' | 'downloads' | 'episodes'> & {
  downloads: Omit<RequestSnapshot['downloads'][number], 'id'>[];
  episodes: Omit<RequestSnapshot['episodes'][number], 'finalPath' | 'downloadId'>[];
};

/** A snapshot without its requester's name, for a viewer who may not see names (the status page's option). */
export function nameless<T extends Pick<RequestSnapshot, 'requestedBy'>>(snapshot: T): T {
  return { ...snapshot, requestedBy: null };
}

/** A request's timeline without its requester's name ("requested by adept" says "requested"). */
export function namelessTimeline(timeline: TimelineEntry[], requestedBy: string | null): TimelineEntry[] {
  const by = `requested by ${requestedBy}`;
  return requestedBy ? timeline.map((t) => (t.detail.startsWith(by) ? { ...t, detail: `requested${t.detail.slice(by.length)}` } : t)) : timeline;
}

export function publicSnapshot(snapshot: RequestSnapshot): PublicSnapshot {
  const { finalPath: _f, downloads, episodes, ...rest } = snapshot;
  return {
    ...rest,
    downloads: downloads.map(({ id: _id, ...download }) => download),
    episodes: episodes.map(({ finalPath: _p, downloadId: _d, ...episode }) => episode),
  };
}

/** A service's health notice as a page for anyone may show it: without the file paths arrs name in them. */
export function publicHealth(health: ServiceHealth): Pick<ServiceHealth, 'instance' | 'level' | 'at'> & { message: string } {
  return {
    instance: health.instance,
    level: health.level,
    at: health.at,
    message: health.message.replace(/(?:[A-Za-z]:)?(?:[\\/][^\\/\s,;:'"()]+){2,}[\\/]?/g, '…'),
  };
}
