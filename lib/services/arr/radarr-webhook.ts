import { z } from 'zod';
import type { MediaEvent, MediaInfo } from '../../events';
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
  movieInfo,
  releaseOf,
  type ArrHandlers,
} from './webhook';
import { text } from '../http/schema-helpers';

/** Radarr v6 webhook (payloads.md section 2). Only what tracking reads is validated; other keys are dropped. */

export const RadarrMovieSchema = z.object({
  id: z.number().int(),
  title: text(1000),
  year: z.number().int().optional(),
  tmdbId: z.number().int(),
  imdbId: text(32).optional(),
  folderPath: text(4096).optional(),
  images: z.array(ImageSchema).max(100).optional(),
  tags: TagsSchema.optional(),
});

const MovieFileSchema = z.object({ path: text(4096), relativePath: text(4096).optional() });

const WithMovie = z.object({ movie: RadarrMovieSchema });

export const RadarrSchemas = {
  Grab: WithMovie.extend({ release: GrabReleaseSchema.optional(), downloadId: DownloadIdSchema }),
  Download: WithMovie.extend({ movieFile: MovieFileSchema, isUpgrade: z.boolean().optional(), downloadId: DownloadIdSchema }),
  Rename: WithMovie.extend({
    renamedMovieFiles: z.array(MovieFileSchema.extend({ previousPath: text(4096) })).max(10000),
  }),
  MovieAdded: WithMovie,
  MovieDelete: WithMovie.extend({ deletedFiles: z.boolean().optional() }),
  MovieFileDelete: WithMovie.extend({ movieFile: MovieFileSchema, deleteReason: text(64).optional() }),
  ManualInteractionRequired: WithMovie.extend(ManualInteractionSchema.shape),
};

export type RadarrMovie = z.infer<typeof RadarrMovieSchema>;

function mediaOf(movie: RadarrMovie): MediaInfo {
  // Radarr has no anime type; the household convention is an "anime" tag (tags are labels).
  return movieInfo(
    movie,
    (movie.tags ?? []).some((tag) => tag.toLowerCase() === 'anime'),
  );
}

const handlers: ArrHandlers<'radarr'> = {
  Grab(body, base) {
    const b = RadarrSchemas.Grab.parse(body);
    return { ...base, kind: 'grabbed', media: mediaOf(b.movie), downloadId: normaliseDownloadId(b.downloadId), episodes: [], release: releaseOf(b.release) };
  },
  Download(body, base) {
    const b = RadarrSchemas.Download.parse(body);
    return {
      ...base,
      kind: 'imported',
      media: mediaOf(b.movie),
      downloadId: normaliseDownloadId(b.downloadId),
      episodes: [],
      files: [{ path: b.movieFile.path, episodes: [] }],
      upgrade: b.isUpgrade ?? false,
    };
  },
  Rename(body, base) {
    const b = RadarrSchemas.Rename.parse(body);
    return { ...base, kind: 'renamed', media: mediaOf(b.movie), files: b.renamedMovieFiles.map((f) => ({ path: f.path, previousPath: f.previousPath })) };
  },
  MovieAdded(body, base) {
    return { ...base, kind: 'added', media: mediaOf(RadarrSchemas.MovieAdded.parse(body).movie) };
  },
  MovieDelete(body, base) {
    const b = RadarrSchemas.MovieDelete.parse(body);
    return { ...base, kind: 'deleted', what: 'media', media: mediaOf(b.movie), episodes: [], reason: b.deletedFiles ? 'deleted with its files' : undefined };
  },
  MovieFileDelete(body, base) {
    const b = RadarrSchemas.MovieFileDelete.parse(body);
    return { ...base, kind: 'deleted', what: 'file', media: mediaOf(b.movie), episodes: [], path: b.movieFile.path, reason: deleteReasonOf(b.deleteReason) };
  },
  ManualInteractionRequired(body, base) {
    const b = RadarrSchemas.ManualInteractionRequired.parse(body);
    return {
      ...base,
      kind: 'manual-interaction',
      media: mediaOf(b.movie),
      downloadId: normaliseDownloadId(b.downloadId),
      episodes: [],
      reason: manualInteractionReason('Radarr', b),
    };
  },
};

export function normaliseRadarr(body: unknown, at: string): MediaEvent {
  return normaliseArr('radarr', handlers, body, at);
}
