import type { EpisodeRef, MediaEvent, MediaInfo } from '../../events';
import type { ArrInstance } from '../../model';
import type { ArrEpisodeSchema, ArrMovieSchema, ArrSeriesSchema, HistoryRecord, QueueRecord } from './client';
import { deleteReasonOf, movieInfo, normaliseDownloadId, seriesInfo } from './webhook';
import type { z } from 'zod';

/**
 * The arrs' queue, history and episode lists as the same normalised events their webhooks give
 * (same kinds, same download ids and episodes, so the same facts): a sync after the webhooks, or a
 * webhook after a sync, is a duplicate.
 */

type Movie = z.infer<typeof ArrMovieSchema>;
type Series = z.infer<typeof ArrSeriesSchema>;
type Episode = z.infer<typeof ArrEpisodeSchema>;

/**
 * The API's movie and series as the webhooks' media info, from the instance. The API gives tags as
 * ids, so a Radarr movie is anime here only once a webhook said so (its tags are labels).
 */
const movieMedia = (movie: Movie, instance: ArrInstance): MediaInfo => ({ ...movieInfo(movie, false), instance: instance.name, is4k: instance.is4k });
const seriesMedia = (series: Series, instance: ArrInstance): MediaInfo => ({
  ...seriesInfo(series, series.seriesType === 'anime'),
  instance: instance.name,
  is4k: instance.is4k,
});

const episodeRef = (e: Episode): EpisodeRef => ({
  season: e.seasonNumber,
  episode: e.episodeNumber,
  title: e.title || undefined,
  tvdbId: e.tvdbId && e.tvdbId > 0 ? e.tvdbId : undefined,
});

type Embedded = { movie?: Movie; series?: Series; episode?: Episode };

/** The media a record is about, or undefined when the arr could not say (an unknown item). */
function mediaOf(record: Embedded, instance: ArrInstance): MediaInfo | undefined {
  if (instance.kind === 'radarr') return record.movie && movieMedia(record.movie, instance);
  return record.series && seriesMedia(record.series, instance);
}

/** The episodes of records (Sonarr: one record per episode), in order, each once. */
function episodesOf(records: Embedded[]): EpisodeRef[] {
  const seen = new Map<number, EpisodeRef>();
  for (const r of records) if (r.episode && !seen.has(r.episode.id)) seen.set(r.episode.id, episodeRef(r.episode));
  return [...seen.values()].sort((a, b) => a.season - b.season || a.episode - b.episode);
}

/** .NET TimeSpan text ("00:26:00", "1.04:12:09") in seconds. */
export function timeSpanSeconds(value: string | undefined): number | undefined {
  const match = value && /^(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.\d+)?$/.exec(value);
  if (!match) return undefined;
  const [, days, h, m, s] = match;
  return Number(days ?? 0) * 86400 + Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** The arr's own words about a download: its status messages, else the client's. */
function messagesOf(record: Pick<QueueRecord, 'statusMessages' | 'errorMessage' | 'status'>): string {
  const parts = (record.statusMessages ?? []).map((m) => {
    const messages = (m.messages ?? []).join('; ');
    return [m.title, messages].filter(Boolean).join(': ');
  });
  return (parts.filter(Boolean).join(' | ') || record.errorMessage || record.status).slice(0, 2000);
}

const IMPORT_STATES = ['importPending', 'importing', 'importBlocked', 'imported'];
const FAILED_STATES = ['failedPending', 'failed'];

/** What tracking keeps of a download in the queue: its first record without the embedded media, the media, its episodes. */
interface QueuedDownload {
  first: Omit<QueueRecord, 'movie' | 'series' | 'episode'>;
  media: MediaInfo;
  episodes: Map<number, EpisodeRef>;
}

/**
 * The queue read page by page (a download's records may straddle two pages): each record is reduced
 * at once to what tracking needs, so the pages themselves are let go. Then, per download: grabbed (its
 * episodes), its progress (from size and sizeleft), and what needs a human: an import blocked
 * (importBlocked, or importPending with a warning), or a failure. Pending releases (no download id
 * yet) and items the arr cannot place are left out.
 */
export class QueueReader {
  private readonly downloads = new Map<string, QueuedDownload>();

  constructor(private readonly instance: ArrInstance) {}

  add(records: QueueRecord[]): void {
    for (const { movie, series, episode, ...first } of records) {
      const downloadId = normaliseDownloadId(first.downloadId);
      if (!downloadId) continue;
      let download = this.downloads.get(downloadId);
      if (!download) {
        const media = mediaOf({ movie, series }, this.instance);
        if (!media) continue;
        download = { first, media, episodes: new Map() };
        this.downloads.set(downloadId, download);
      }
      if (this.instance.kind === 'sonarr' && episode && !download.episodes.has(episode.id)) download.episodes.set(episode.id, episodeRef(episode));
    }
  }

  events(at: string): { downloadId: string; events: MediaEvent[] }[] {
    const label = this.instance.kind === 'radarr' ? 'Radarr' : 'Sonarr';
    return [...this.downloads.entries()].map(([downloadId, { first, media, episodes: byId }]) => {
      const base = { source: this.instance.kind, at, media } as const;
      const episodes = [...byId.values()].sort((a, b) => a.season - b.season || a.episode - b.episode);
      const state = first.trackedDownloadState ?? 'downloading';
      const progress = first.size > 0 ? Math.min(1, Math.max(0, 1 - first.sizeleft / first.size)) : 0;
      const downloaded = IMPORT_STATES.includes(state) || (first.size > 0 && first.sizeleft === 0);
      const failed = FAILED_STATES.includes(state);
      const events: MediaEvent[] = [
        {
          ...base,
          kind: 'grabbed',
          downloadId,
          episodes,
          release: { title: first.title, quality: first.quality?.quality.name, indexer: first.indexer, size: first.size },
        },
        {
          source: this.instance.kind,
          at,
          kind: 'download-progress',
          downloadId,
          state: failed ? 'FAILED' : downloaded ? 'DOWNLOADED' : 'DOWNLOADING',
          progress: downloaded ? 1 : progress,
          etaSeconds: downloaded || failed ? undefined : timeSpanSeconds(first.timeleft),
          clientState: `${label} ${first.status}`,
        },
      ];
      const blocked = state === 'importBlocked' || (state === 'importPending' && first.trackedDownloadStatus === 'warning');
      if (blocked) events.push({ ...base, kind: 'download-problem', problem: 'import-blocked', downloadId, episodes, reason: messagesOf(first) });
      if (failed) events.push({ ...base, kind: 'download-problem', problem: 'download-failed', downloadId, episodes, reason: messagesOf(first) });
      return { downloadId, events };
    });
  }
}

/** Consecutive history records of one event about one download (Sonarr writes one per episode). */
function historyGroups(records: HistoryRecord[]): HistoryRecord[][] {
  const groups: HistoryRecord[][] = [];
  for (const r of records) {
    const last = groups.at(-1)?.[0];
    const same =
      last &&
      last.eventType === r.eventType &&
      (last.downloadId ?? '') === (r.downloadId ?? '') &&
      (last.seriesId ?? last.movieId) === (r.seriesId ?? r.movieId) &&
      (r.downloadId || last.sourceTitle === r.sourceTitle);
    if (same) groups.at(-1)!.push(r);
    else groups.push([r]);
  }
  return groups;
}

/** History records (oldest first) as events: grabbed, imported, failed or ignored downloads, deleted files. */
export function historyEvents(instance: ArrInstance, records: HistoryRecord[]): MediaEvent[] {
  const label = instance.kind === 'radarr' ? 'Radarr' : 'Sonarr';
  return historyGroups(records).flatMap((group): MediaEvent[] => {
    const first = group[0]!;
    const media = mediaOf(first, instance);
    if (!media) return [];
    const base = { source: instance.kind, at: new Date(first.date).toISOString(), media } as const;
    const downloadId = normaliseDownloadId(first.downloadId);
    const episodes = instance.kind === 'sonarr' ? episodesOf(group) : [];
    switch (first.eventType) {
      case 'grabbed':
        return [
          {
            ...base,
            kind: 'grabbed',
            downloadId,
            episodes,
            release: { title: first.sourceTitle, quality: first.quality?.quality.name, indexer: first.data.indexer ?? undefined },
          },
        ];
      case 'downloadFolderImported': {
        const files = new Map<string, EpisodeRef[]>();
        for (const r of group) {
          const path = r.data.importedPath;
          if (!path) continue;
          const list = files.get(path) ?? [];
          if (r.episode) list.push(episodeRef(r.episode));
          files.set(path, list);
        }
        return [
          {
            ...base,
            kind: 'imported',
            downloadId,
            episodes,
            files: [...files.entries()].map(([path, eps]) => ({ path, episodes: eps.map(({ season, episode }) => ({ season, episode })) })),
            folder: first.series?.path,
            upgrade: false,
          },
        ];
      }
      case 'downloadFailed':
      case 'downloadIgnored': {
        const message = first.data.message ?? (first.eventType === 'downloadFailed' ? 'Failed download detected' : 'Manually ignored');
        const reason = first.eventType === 'downloadFailed' ? `${label}: ${message}` : `${label} stopped tracking it: ${message}`;
        return [{ ...base, kind: 'download-problem', problem: 'download-failed', downloadId, episodes, reason }];
      }
      case 'episodeFileDeleted':
      case 'movieFileDeleted':
        return [{ ...base, kind: 'deleted', what: 'file', episodes, path: first.sourceTitle, reason: deleteReasonOf(first.data.reason) }];
      default:
        return [];
    }
  });
}

/**
 * A show's episodes in its requested seasons (all but specials when none were named): the monitored
 * ones that have aired are tracked, the others are listed as upcoming.
 */
export function listedEvent(requestId: number, media: MediaInfo, episodes: Episode[], seasons: number[], at: string): MediaEvent {
  const wanted = (e: Episode) => e.monitored && (seasons.length ? seasons.includes(e.seasonNumber) : e.seasonNumber > 0);
  const aired = (e: Episode) => e.hasFile === true || (!!e.airDateUtc && Date.parse(e.airDateUtc) <= Date.parse(at));
  const inSeasons = episodes.filter(wanted).sort((a, b) => a.seasonNumber - b.seasonNumber || a.episodeNumber - b.episodeNumber);
  return {
    source: 'sonarr',
    at,
    kind: 'episodes-listed',
    requestId,
    media,
    episodes: inSeasons.filter(aired).map(episodeRef),
    upcoming: inSeasons
      .filter((e) => !aired(e))
      .map((e) => ({
        season: e.seasonNumber,
        episode: e.episodeNumber,
        title: e.title || undefined,
        airDate: e.airDateUtc && new Date(e.airDateUtc).toISOString(),
      })),
  };
}
