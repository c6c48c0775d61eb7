import { z } from 'zod';
import type { MediaEvent, MediaInfo } from '../../events';
import { text } from '../http/schema-helpers';

/** Pieces Radarr and Sonarr share (one code base: Newtonsoft camelCase, nulls dropped, PascalCase eventType). */

export const ImageSchema = z.object({ coverType: text(40), url: text(2048).optional(), remoteUrl: text(2048).optional() });
export const TagsSchema = z.array(text(200)).max(1000);

export const GrabReleaseSchema = z.object({
  quality: text(200).optional(),
  releaseTitle: text(2000).optional(),
  indexer: text(500).optional(),
  size: z.number().nonnegative().optional(),
});

export const DownloadIdSchema = text(200).optional();

export const ManualInteractionSchema = z.object({
  downloadId: DownloadIdSchema,
  downloadStatus: text(40).optional(),
  downloadStatusMessages: z
    .array(z.object({ title: text(2000).optional(), messages: z.array(text(4000)).max(100).optional() }))
    .max(1000)
    .optional(),
  downloadInfo: z.object({ title: text(2000).optional() }).optional(),
});

const NoticeSchema = z.object({
  level: text(40).optional(),
  message: text(10000).optional(),
  newVersion: text(100).optional(),
  instanceName: text(100).optional(),
  type: text(200).optional(),
});

export function posterOf(images: z.infer<typeof ImageSchema>[] | undefined): string | undefined {
  return images?.find((image) => image.coverType === 'poster')?.remoteUrl || undefined;
}

/** What the arrs' webhooks and their API both say about a movie (Radarr) or a series (Sonarr). */
export interface ArrMovie {
  id: number;
  title: string;
  year?: number;
  tmdbId: number;
  imdbId?: string;
  images?: z.infer<typeof ImageSchema>[];
}
export type ArrSeries = Omit<ArrMovie, 'tmdbId'> & { tvdbId: number; tmdbId?: number };

/** A movie as media info (ids of 0 mean unknown). `isAnime`: how the caller knows (webhook tags are labels, the API's are ids). */
export function movieInfo(movie: ArrMovie, isAnime: boolean): MediaInfo {
  return {
    mediaType: 'movie',
    ids: { tmdb: movie.tmdbId > 0 ? movie.tmdbId : undefined, imdb: movie.imdbId || undefined, radarr: movie.id > 0 ? movie.id : undefined },
    title: movie.title,
    year: movie.year || undefined,
    isAnime,
    posterUrl: posterOf(movie.images),
  };
}

/** A series as media info (ids of 0 mean unknown). */
export function seriesInfo(series: ArrSeries, isAnime: boolean): MediaInfo {
  return {
    mediaType: 'tv',
    ids: {
      tvdb: series.tvdbId > 0 ? series.tvdbId : undefined,
      tmdb: series.tmdbId && series.tmdbId > 0 ? series.tmdbId : undefined,
      imdb: series.imdbId || undefined,
      sonarr: series.id > 0 ? series.id : undefined,
    },
    title: series.title,
    year: series.year || undefined,
    isAnime,
    posterUrl: posterOf(series.images),
  };
}

/** The arrs send the qBittorrent hash upper-cased; normalise every id that way so casing never matters. */
export function normaliseDownloadId(id: string | undefined): string | undefined {
  const trimmed = id?.trim();
  return trimmed ? trimmed.toUpperCase() : undefined;
}

/** A deletion's reason as the webhooks write it ("missingFromDisk"); the arrs' history writes "MissingFromDisk". */
export function deleteReasonOf(reason: string | null | undefined): string | undefined {
  return reason ? reason.charAt(0).toLowerCase() + reason.slice(1) : undefined;
}

export function releaseOf(release: z.infer<typeof GrabReleaseSchema> | undefined) {
  if (!release) return undefined;
  return { title: release.releaseTitle, quality: release.quality, indexer: release.indexer, size: release.size };
}

export function manualInteractionReason(app: string, body: z.infer<typeof ManualInteractionSchema>): string {
  const messages = (body.downloadStatusMessages ?? []).flatMap((m) => m.messages ?? []);
  const detail = messages.length ? messages.slice(0, 3).join('; ') : (body.downloadStatus ?? 'no reason given');
  return `${app} needs manual interaction: ${detail}`.slice(0, 4000);
}

/** Events that exist in both arrs and are about no request. Returns undefined for the others. */
function serviceEvent(app: 'radarr' | 'sonarr', eventType: string, body: unknown, at: string): MediaEvent | undefined {
  switch (eventType) {
    case 'Test':
      return { source: app, at, kind: 'test', name: eventType };
    case 'Health':
    case 'HealthRestored':
    case 'ApplicationUpdate': {
      const notice = NoticeSchema.parse(body);
      const message =
        eventType === 'ApplicationUpdate' && !notice.message && notice.newVersion ? `updated to ${notice.newVersion}` : (notice.message ?? eventType);
      return {
        source: app,
        at,
        kind: 'notice',
        name: eventType,
        level: notice.level,
        message,
        instance: notice.instanceName || app,
        ...(notice.type ? { check: notice.type } : {}),
      };
    }
    default:
      return undefined;
  }
}

const Envelope = z.object({ eventType: text(64) });

export type ArrBase<App extends 'radarr' | 'sonarr'> = { source: App; at: string };
export type ArrHandlers<App extends 'radarr' | 'sonarr'> = Record<string, (body: unknown, base: ArrBase<App>) => MediaEvent>;

/**
 * The shape both arrs share: the PascalCase `eventType` picks the handler; the service events are
 * common; an unknown type is understood as "ignored" (a newer arr), not rejected.
 */
export function normaliseArr<App extends 'radarr' | 'sonarr'>(app: App, handlers: ArrHandlers<App>, body: unknown, at: string): MediaEvent {
  const { eventType } = Envelope.parse(body);
  const service = serviceEvent(app, eventType, body, at);
  if (service) return service;
  // Own keys only: an eventType such as "constructor" must not reach Object.prototype.
  const handler = Object.hasOwn(handlers, eventType) ? handlers[eventType] : undefined;
  if (handler) return handler(body, { source: app, at });
  return { source: app, at, kind: 'ignored', name: eventType, reason: `unknown ${app} event type "${eventType}"` };
}
