import type { ArrKind } from '../../model';
import { z } from 'zod';
import { ApiClient, eachValid, Skips, type ApiOptions, type CallRecord } from '../http/api-client';
import { text } from '../http/schema-helpers';

/**
 * Radarr v5/v6 and Sonarr v4 REST API, what the sync reads (service-apis.md sections 2-4): the queue,
 * the history since a date, a series' episodes. Only what tracking reads is validated; the rest is
 * dropped. Nulls are omitted by the arrs' serialiser, except inside history `data`.
 */

const image = z.object({ coverType: text(40), remoteUrl: text(2048).optional() });

export const ArrMovieSchema = z.object({
  id: z.number().int(),
  title: text(1000),
  year: z.number().int().optional(),
  tmdbId: z.number().int(),
  imdbId: text(32).optional(),
  images: z.array(image).max(100).optional(),
});

export const ArrSeriesSchema = z.object({
  id: z.number().int(),
  title: text(1000),
  year: z.number().int().optional(),
  tvdbId: z.number().int(),
  tmdbId: z.number().int().optional(),
  imdbId: text(32).optional(),
  seriesType: text(40).optional(),
  path: text(4096).optional(),
  images: z.array(image).max(100).optional(),
});

export const ArrEpisodeSchema = z.object({
  id: z.number().int(),
  seriesId: z.number().int(),
  tvdbId: z.number().int().optional(),
  seasonNumber: z.number().int().nonnegative(),
  episodeNumber: z.number().int().nonnegative(),
  title: text(1000).optional(),
  airDateUtc: z.iso.datetime().optional(),
  monitored: z.boolean(),
  hasFile: z.boolean().optional(),
  lastSearchTime: z.iso.datetime().optional(),
});

export interface ArrPresence {
  id: number;
  monitored: boolean;
  hasFiles: boolean | undefined;
}

/**
 * What the movie endpoint says of a movie's presence (`hasFile`, or a `movieFileId`, 0 for none;
 * `monitored`) and of what Radarr waits for before it searches (service-apis.md 4.1): `isAvailable` by
 * its minimum availability, the `releaseDate` that decides it, the dates it is one of, `lastSearchTime`.
 */
export const ArrMovieStateSchema = z.object({
  id: z.number().int(),
  monitored: z.boolean(),
  hasFile: z.boolean().optional(),
  movieFileId: z.number().int().optional(),
  isAvailable: z.boolean().optional(),
  releaseDate: z.iso.datetime().optional(),
  inCinemas: z.iso.datetime().optional(),
  physicalRelease: z.iso.datetime().optional(),
  digitalRelease: z.iso.datetime().optional(),
  lastSearchTime: z.iso.datetime().optional(),
});
export type ArrMovieState = z.infer<typeof ArrMovieStateSchema>;

/** A release of an arr's search (`GET /api/v3/release`): only whether it was taken and why not. */
const ReleaseSchema = z.object({ rejected: z.boolean().optional(), approved: z.boolean().optional(), rejections: z.array(text(2000)).max(100).optional() });
export type ArrRelease = z.infer<typeof ReleaseSchema>;

/** What the series endpoint says of a series' presence: `monitored`, and its statistics' file count. */
const SeriesStateSchema = z.object({
  id: z.number().int(),
  monitored: z.boolean(),
  statistics: z.object({ episodeFileCount: z.number().int().nonnegative() }).optional(),
});

/** What queue and history records name: a movie (Radarr) or a series' episode (Sonarr), embedded when asked for. */
const embedded = {
  movieId: z.number().int().optional(),
  movie: ArrMovieSchema.optional(),
  seriesId: z.number().int().optional(),
  episodeId: z.number().int().optional(),
  series: ArrSeriesSchema.optional(),
  episode: ArrEpisodeSchema.optional(),
};

const StatusMessageSchema = z.object({ title: text(2000).optional(), messages: z.array(text(4000)).max(100).optional() });

export const QueueRecordSchema = z.object({
  id: z.number().int(),
  ...embedded,
  title: text(2000).optional(),
  size: z.number().nonnegative(),
  sizeleft: z.number().nonnegative(),
  timeleft: text(40).optional(),
  status: text(40),
  trackedDownloadStatus: text(40).optional(),
  trackedDownloadState: text(40).optional(),
  statusMessages: z.array(StatusMessageSchema).max(1000).optional(),
  errorMessage: text(4096).optional(),
  downloadId: text(200).optional(),
  indexer: text(500).optional(),
  quality: z.object({ quality: z.object({ name: text(200) }) }).optional(),
});
export type QueueRecord = z.infer<typeof QueueRecordSchema>;

/** A page of records: they are checked one by one (see eachValid). */
const PageSchema = z.object({ page: z.number().int(), pageSize: z.number().int(), totalRecords: z.number().int(), records: z.array(z.unknown()) });

export const HistoryRecordSchema = z.object({
  id: z.number().int(),
  ...embedded,
  sourceTitle: text(4096),
  date: z.iso.datetime(),
  downloadId: text(200).optional(),
  eventType: text(64),
  data: z.record(z.string(), z.string().max(10000).nullable()),
  quality: z.object({ quality: z.object({ name: text(200) }) }).optional(),
});
export type HistoryRecord = z.infer<typeof HistoryRecordSchema>;

/** The search commands the tracker sends (service-apis.md 3.6, 4.3). */
export type SearchCommand =
  | { name: 'MoviesSearch'; movieIds: number[] }
  | { name: 'EpisodeSearch'; episodeIds: number[] }
  | { name: 'SeasonSearch'; seriesId: number; seasonNumber: number }
  | { name: 'MissingEpisodeSearch'; seriesId: number };

/** An interactive search asks every indexer: it may take a minute or two. */
const RELEASE_SEARCH_TIMEOUT_MS = 120_000;

/** The queue's records come in pages of this many (one record per episode: a season pack alone passes the default 10). */
export const QUEUE_PAGE_SIZE = 500;
/** Pages read at most per queue (a queue past 50,000 records is not a household's). */
const MAX_PAGES = 100;

export class ArrClient {
  readonly api: ApiClient;

  constructor(
    readonly kind: ArrKind,
    options: ApiOptions,
  ) {
    this.api = new ApiClient(kind === 'radarr' ? 'Radarr' : 'Sonarr', options);
  }

  /**
   * The queue, page by page, with the movie or the series and episode embedded: each page is handed
   * over and let go before the next is read, so a long queue never sits in memory whole. A record that
   * fails its schema is left out and noted in `skips`.
   */
  async *queuePages(skips: Skips, log?: CallRecord[]): AsyncGenerator<QueueRecord[]> {
    const embed = this.kind === 'radarr' ? { includeMovie: true } : { includeSeries: true, includeEpisode: true };
    for (let n = 1; n <= MAX_PAGES; n++) {
      const answer = await this.api.get(
        '/api/v3/queue',
        { page: n, pageSize: QUEUE_PAGE_SIZE, sortKey: 'added', sortDirection: 'ascending', ...embed },
        PageSchema,
        log,
      );
      yield eachValid(answer.records, QueueRecordSchema, 'records', skips);
      if (!answer.records.length || n * QUEUE_PAGE_SIZE >= answer.totalRecords) return;
    }
  }

  /** The queue's records of these downloads (ids as the arr gives them, any case), read page by page. */
  async queued(downloadIds: string[], log: CallRecord[]): Promise<QueueRecord[]> {
    const wanted = new Set(downloadIds.map((d) => d.toUpperCase()));
    const found: QueueRecord[] = [];
    for await (const records of this.queuePages(new Skips(), log)) found.push(...records.filter((r) => wanted.has(r.downloadId?.toUpperCase() ?? '')));
    return found;
  }

  /** History records dated `since` or later, oldest first (`>=`: the caller skips the ids it has seen); odd records noted in `skips`. */
  async historySince(since: string, skips: Skips): Promise<HistoryRecord[]> {
    const embed = this.kind === 'radarr' ? { includeMovie: true } : { includeSeries: true, includeEpisode: true };
    const records = await this.api.get('/api/v3/history/since', { date: since, ...embed }, z.array(z.unknown()));
    return eachValid(records, HistoryRecordSchema, 'history', skips);
  }

  /**
   * What this arr has of a movie (by TMDB id, Radarr: service-apis.md 4.3) or a series (by TVDB id,
   * Sonarr: 3.4), or undefined when it has none: its id there, whether it is monitored, and whether it
   * has files (undefined when the answer does not say).
   */
  async presence(mediaType: 'movie' | 'tv', externalId: number, log?: CallRecord[]): Promise<ArrPresence | undefined> {
    if (mediaType === 'movie') {
      const movie = await this.movie(externalId, log);
      return (
        movie && { id: movie.id, monitored: movie.monitored, hasFiles: movie.hasFile ?? (movie.movieFileId === undefined ? undefined : movie.movieFileId > 0) }
      );
    }
    const [series] = await this.api.get('/api/v3/series', { tvdbId: externalId }, z.array(SeriesStateSchema).max(10), log);
    return series && { id: series.id, monitored: series.monitored, hasFiles: series.statistics && series.statistics.episodeFileCount > 0 };
  }

  /** Radarr's movie by TMDB id, or undefined when it has none. */
  async movie(tmdbId: number, log?: CallRecord[]): Promise<ArrMovieState | undefined> {
    const [movie] = await this.api.get('/api/v3/movie', { tmdbId }, z.array(ArrMovieStateSchema).max(10), log);
    return movie;
  }

  /**
   * The arr's own release search, as its Interactive Search runs it (it asks every indexer, so it is
   * slow and is asked only on a person's explain): Radarr for a movie, Sonarr for an episode.
   */
  releases(target: { movieId: number } | { episodeId: number }, log: CallRecord[]): Promise<ArrRelease[]> {
    return this.api.get('/api/v3/release', target, z.array(ReleaseSchema).max(10_000), log, RELEASE_SEARCH_TIMEOUT_MS);
  }

  /** Every episode of a series (Sonarr). */
  episodes(seriesId: number, log?: CallRecord[]): Promise<z.infer<typeof ArrEpisodeSchema>[]> {
    return this.api.get('/api/v3/episode', { seriesId }, z.array(ArrEpisodeSchema), log);
  }

  /**
   * Remove a download from the queue, blocklisting its release, without the arr's own new search (the
   * caller asks for exactly the search it wants); from the download client too, with its data, only
   * when `removeFromClient` (never a private torrent's). Acts on the whole download.
   */
  async removeAndBlocklist(queueId: number, removeFromClient: boolean, log: CallRecord[]): Promise<void> {
    await this.api.send('DELETE', `/api/v3/queue/${queueId}`, { removeFromClient, blocklist: true, skipRedownload: true }, undefined, z.unknown(), log);
  }

  /** A command (MoviesSearch, EpisodeSearch, SeasonSearch, MissingEpisodeSearch): answered 201 with the queued command. */
  async command(body: SearchCommand, log: CallRecord[]): Promise<void> {
    await this.api.send('POST', '/api/v3/command', {}, body, z.object({ id: z.number().int(), name: z.string() }).loose(), log);
  }
}
