import { z } from 'zod';
import type { EpisodeKey, EpisodeRef, MediaEvent, MediaInfo } from '../../events';
import {
  DownloadIdSchema,
  deleteReasonOf,
  GrabReleaseSchema,
  ImageSchema,
  ManualInteractionSchema,
  TagsSchema,
  manualInteractionReason,
  normaliseArr,
  normaliseDownloadId,
  seriesInfo,
  releaseOf,
  type ArrHandlers,
} from './webhook';
import { episodeKey, episodesInFileName } from '../../episode-numbers';
import { text } from '../http/schema-helpers';

/** Sonarr v4 webhook (payloads.md section 1). Only what tracking reads is validated; other keys are dropped. */

export const SonarrSeriesSchema = z.object({
  id: z.number().int(),
  title: text(1000),
  path: text(4096).optional(),
  tvdbId: z.number().int(),
  tmdbId: z.number().int().optional(),
  imdbId: text(32).optional(),
  type: text(40).optional(),
  year: z.number().int().optional(),
  images: z.array(ImageSchema).max(100).optional(),
  tags: TagsSchema.optional(),
});

const EpisodeSchema = z.object({
  episodeNumber: z.number().int().nonnegative(),
  seasonNumber: z.number().int().nonnegative(),
  title: text(1000).optional(),
  tvdbId: z.number().int().optional(),
});
const Episodes = z.array(EpisodeSchema).max(10000);
const EpisodeFileSchema = z.object({ path: text(4096), relativePath: text(4096).optional() });

const WithSeries = z.object({ series: SonarrSeriesSchema });

export const SonarrSchemas = {
  Grab: WithSeries.extend({ episodes: Episodes, release: GrabReleaseSchema.optional(), downloadId: DownloadIdSchema }),
  // Two bodies share eventType "Download": per file (`episodeFile`) and import complete (`episodeFiles[]`).
  Download: WithSeries.extend({
    episodes: Episodes,
    episodeFile: EpisodeFileSchema.optional(),
    episodeFiles: z.array(EpisodeFileSchema).max(10000).optional(),
    isUpgrade: z.boolean().optional(),
    downloadId: DownloadIdSchema,
  }),
  Rename: WithSeries.extend({
    renamedEpisodeFiles: z.array(EpisodeFileSchema.extend({ previousPath: text(4096) })).max(10000),
  }),
  SeriesAdd: WithSeries,
  SeriesDelete: WithSeries.extend({ deletedFiles: z.boolean().optional() }),
  EpisodeFileDelete: WithSeries.extend({ episodes: Episodes, episodeFile: EpisodeFileSchema, deleteReason: text(64).optional() }),
  ManualInteractionRequired: WithSeries.extend({ episodes: Episodes, ...ManualInteractionSchema.shape }),
};

export type SonarrSeries = z.infer<typeof SonarrSeriesSchema>;

function mediaOf(series: SonarrSeries): MediaInfo {
  return seriesInfo(series, series.type === 'anime');
}

function episodesOf(episodes: z.infer<typeof Episodes>): EpisodeRef[] {
  return episodes.map((e) => ({
    season: e.seasonNumber,
    episode: e.episodeNumber,
    title: e.title || undefined,
    tvdbId: e.tvdbId && e.tvdbId > 0 ? e.tvdbId : undefined,
  }));
}

/**
 * Place each imported file on its episodes. The per-file body lists its episodes with the file; the
 * import-complete body lists none per file, so the SxxEyy numbers in the file name decide (never the
 * array index). Names outside the listed episodes are not placed.
 */
function filesOf(body: z.infer<typeof SonarrSchemas.Download>, listed: EpisodeRef[]) {
  if (body.episodeFile) return [{ path: body.episodeFile.path, episodes: listed.map(({ season, episode }) => ({ season, episode })) }];
  const listedKeys = new Set(listed.map(episodeKey));
  return (body.episodeFiles ?? []).map((file) => ({
    path: file.path,
    episodes: episodesInFileName(file.relativePath ?? file.path).filter((e: EpisodeKey) => listedKeys.has(episodeKey(e))),
  }));
}

const handlers: ArrHandlers<'sonarr'> = {
  Grab(body, base) {
    const b = SonarrSchemas.Grab.parse(body);
    return {
      ...base,
      kind: 'grabbed',
      media: mediaOf(b.series),
      downloadId: normaliseDownloadId(b.downloadId),
      episodes: episodesOf(b.episodes),
      release: releaseOf(b.release),
    };
  },
  Download(body, base) {
    const b = SonarrSchemas.Download.parse(body);
    const episodes = episodesOf(b.episodes);
    return {
      ...base,
      kind: 'imported',
      media: mediaOf(b.series),
      downloadId: normaliseDownloadId(b.downloadId),
      episodes,
      files: filesOf(b, episodes),
      folder: b.series.path,
      upgrade: b.isUpgrade ?? false,
    };
  },
  Rename(body, base) {
    const b = SonarrSchemas.Rename.parse(body);
    return { ...base, kind: 'renamed', media: mediaOf(b.series), files: b.renamedEpisodeFiles.map((f) => ({ path: f.path, previousPath: f.previousPath })) };
  },
  SeriesAdd(body, base) {
    return { ...base, kind: 'added', media: mediaOf(SonarrSchemas.SeriesAdd.parse(body).series) };
  },
  SeriesDelete(body, base) {
    const b = SonarrSchemas.SeriesDelete.parse(body);
    return { ...base, kind: 'deleted', what: 'media', media: mediaOf(b.series), episodes: [], reason: b.deletedFiles ? 'deleted with its files' : undefined };
  },
  EpisodeFileDelete(body, base) {
    const b = SonarrSchemas.EpisodeFileDelete.parse(body);
    return {
      ...base,
      kind: 'deleted',
      what: 'file',
      media: mediaOf(b.series),
      episodes: episodesOf(b.episodes),
      path: b.episodeFile.path,
      reason: deleteReasonOf(b.deleteReason),
    };
  },
  ManualInteractionRequired(body, base) {
    const b = SonarrSchemas.ManualInteractionRequired.parse(body);
    return {
      ...base,
      kind: 'manual-interaction',
      media: mediaOf(b.series),
      downloadId: normaliseDownloadId(b.downloadId),
      episodes: episodesOf(b.episodes),
      reason: manualInteractionReason('Sonarr', b),
    };
  },
};

export function normaliseSonarr(body: unknown, at: string): MediaEvent {
  return normaliseArr('sonarr', handlers, body, at);
}
