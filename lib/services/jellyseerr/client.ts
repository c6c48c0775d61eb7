import { z } from 'zod';
import { ApiClient, eachValid, type ApiOptions, type CallRecord, type Skips } from '../http/api-client';
import { text } from '../http/schema-helpers';

/**
 * Jellyseerr / Seerr REST API, what the sync reads (service-apis.md section 5): requests page by page,
 * one request by id, and a movie's or show's title, year and poster. Ids are numbers here; nullable
 * columns come as null.
 */

export const SeerrMediaSchema = z.object({
  id: z.number().int(),
  mediaType: z.enum(['movie', 'tv']),
  tmdbId: z.number().int(),
  tvdbId: z.number().int().nullable().optional(),
  imdbId: text(32).nullable().optional(),
  status: z.number().int(),
  status4k: z.number().int(),
  externalServiceId: z.number().int().nullable().optional(),
  externalServiceId4k: z.number().int().nullable().optional(),
});

export const SeerrRequestSchema = z.object({
  id: z.number().int().positive(),
  status: z.number().int(),
  createdAt: z.iso.datetime(),
  type: z.enum(['movie', 'tv']),
  is4k: z.boolean(),
  media: SeerrMediaSchema,
  seasons: z.array(z.object({ seasonNumber: z.number().int().nonnegative(), status: z.number().int() })).max(1000),
  requestedBy: z
    .object({ displayName: text(200).optional(), username: text(200).nullable().optional() })
    .nullable()
    .optional(),
});
export type SeerrRequest = z.infer<typeof SeerrRequestSchema>;

/** A page: its requests are checked one by one (see eachValid). */
const PageSchema = z.object({
  pageInfo: z.object({ pages: z.number().int(), pageSize: z.number().int(), results: z.number().int(), page: z.number().int() }),
  results: z.array(z.unknown()),
});

export const SeerrTitleSchema = z.union([
  z.object({ title: text(1000), releaseDate: text(20).optional(), posterPath: text(500).nullable().optional() }),
  z.object({ name: text(1000), firstAirDate: text(20).optional(), posterPath: text(500).nullable().optional() }),
]);

/** The request list's filters (service-apis.md 5.2). */
export type RequestFilter = 'all' | 'unavailable';

/**
 * Page sizes: new requests are read until one already seen (usually on the first page), every
 * request in progress is read each time (big pages: each call makes Seerr ask every arr for its profiles).
 */
export const PAGE_SIZE = { all: 100, unavailable: 500 } as const;
/**
 * Requests read at most per list and sync, whatever the service says of its pages (a household has
 * far fewer; one that lies about paging must not make the sync read forever).
 */
export const MAX_REQUESTS_READ = 10_000;
/** Seerr's webhook prefixes TMDB poster paths this way (payloads.md 3.2). */
export const POSTER_BASE = 'https://image.tmdb.org/t/p/w600_and_h900_bestv2';

export interface SeerrTitle {
  title: string;
  year?: number;
  posterUrl?: string;
}

export class JellyseerrClient {
  readonly api: ApiClient;

  constructor(options: ApiOptions) {
    this.api = new ApiClient('Jellyseerr', options);
  }

  /** One page of requests, newest first (sort by id); a request that fails its schema is left out and noted in `skips`. */
  async requests(
    filter: RequestFilter,
    skip: number,
    take: number,
    skips: Skips,
  ): Promise<{ pageInfo: z.infer<typeof PageSchema>['pageInfo']; results: SeerrRequest[] }> {
    const page = await this.api.get('/api/v1/request', { filter, sort: 'added', sortDirection: 'desc', take, skip }, PageSchema);
    return { pageInfo: page.pageInfo, results: eachValid(page.results, SeerrRequestSchema, 'results', skips) };
  }

  request(id: number, log?: CallRecord[]): Promise<SeerrRequest> {
    return this.api.get(`/api/v1/request/${id}`, {}, SeerrRequestSchema, log);
  }

  /** Forget a media item (by Seerr's media id) with its requests, so it can be requested again (204). */
  async deleteMedia(mediaId: number, log: CallRecord[]): Promise<void> {
    await this.api.send('DELETE', `/api/v1/media/${mediaId}`, {}, undefined, z.unknown(), log);
  }

  async title(mediaType: 'movie' | 'tv', tmdbId: number): Promise<SeerrTitle> {
    const answer = await this.api.get(`/api/v1/${mediaType}/${tmdbId}`, {}, SeerrTitleSchema);
    const [title, date] = 'title' in answer ? [answer.title, answer.releaseDate] : [answer.name, answer.firstAirDate];
    const year = date && /^\d{4}/.test(date) ? Number(date.slice(0, 4)) : undefined;
    return { title, year, posterUrl: answer.posterPath ? `${POSTER_BASE}${answer.posterPath}` : undefined };
  }
}
