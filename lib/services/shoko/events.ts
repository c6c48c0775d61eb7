import { z } from 'zod';
import type { MediaEvent } from '../../events';
import { formatIssues, text } from '../http/schema-helpers';

/**
 * Shoko Server's `shoko` feed over SignalR (payloads.md section 4). Each invocation has one argument,
 * the event model. 5.x sends PascalCase keys (Newtonsoft, as declared); 4.x sent camelCase (default
 * System.Text.Json) and named a few things differently; both are accepted.
 */

const FILE_EVENTS = ['FileDetected', 'FileHashed', 'FileMatched', 'FileNotMatched', 'FileDeleted', 'FileRenamed', 'FileMoved'] as const;
const METADATA_EVENTS = ['SeriesUpdated', 'EpisodeUpdated', 'MovieUpdated'] as const;
export type ShokoFileEventName = (typeof FILE_EVENTS)[number];
export type ShokoMetadataEventName = (typeof METADATA_EVENTS)[number];
export const SHOKO_EVENTS = [...FILE_EVENTS, ...METADATA_EVENTS, 'OnConnected'] as const;
export type ShokoEventName = (typeof SHOKO_EVENTS)[number];

/** `ShokoEvent:FileMatched` -> `FileMatched` (5.x and 4.x aggregate hub; 5.0/5.1's legacy hub had no prefix). */
export function shokoEventName(target: string): ShokoEventName | undefined {
  const name = target.replace(/^ShokoEvent:/i, '');
  return SHOKO_EVENTS.find((known) => known.toLowerCase() === name.toLowerCase());
}

export const isFileEvent = (name: ShokoEventName): name is ShokoFileEventName => (FILE_EVENTS as readonly string[]).includes(name);
export const isMetadataEvent = (name: ShokoEventName): name is ShokoMetadataEventName => (METADATA_EVENTS as readonly string[]).includes(name);

const int = z.number().int();
const nullableId = int.nullable().optional();

const CrossReferenceSchema = z.object({
  EpisodeID: nullableId,
  AnidbEpisodeID: nullableId,
  SeriesID: nullableId,
  AnidbAnimeID: nullableId,
  GroupID: nullableId,
});

export const ShokoFileSchema = z.object({
  FileID: int.nonnegative().optional(),
  ImportFolderID: int.nonnegative(),
  RelativePath: z.string().max(4096),
  CrossReferences: z.array(CrossReferenceSchema).max(1000).optional(),
  AutoMatchAttempts: int.nonnegative().optional(),
  HasCrossReferences: z.boolean().optional(),
});

export const ShokoMovieUpdatedSchema = z.object({
  Source: text(40),
  Reason: text(40),
  MovieID: int.positive(),
});

/** 4.x names that are not just the camelCase of 5.x's. */
const V4_RENAMES: Record<string, string> = {
  crossRefs: 'CrossReferences',
  newRelativePath: 'RelativePath',
  newImportFolderID: 'ImportFolderID',
  oldRelativePath: 'PreviousRelativePath',
  oldImportFolderID: 'PreviousImportFolderID',
  newFileName: 'FileName',
  oldFileName: 'PreviousFileName',
};

/** Bring a 4.x camelCase model (and its nested cross references) to 5.x's PascalCase. */
function toPascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPascal);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = V4_RENAMES[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
    if (name === '__proto__') continue;
    out[name] = toPascal(inner);
  }
  return out;
}

const positive = (value: number | null | undefined) => (value && value > 0 ? value : undefined);

export type ShokoResult = { ok: true; event: MediaEvent } | { ok: false; error: string };

/**
 * One Shoko invocation as a media event. `folders` maps import folder ids to where the arrs see
 * them (path mappings, or Shoko's own paths from its API); a miss leaves matching to path suffixes.
 */
export function normaliseShoko(target: string, argument: unknown, at: string, folders?: ReadonlyMap<number, string>): ShokoResult {
  const name = shokoEventName(target);
  if (!name)
    return { ok: true, event: { source: 'shoko', at, kind: 'ignored', name: target.slice(0, 100), reason: `unknown Shoko event ${target.slice(0, 100)}` } };
  if (name === 'OnConnected') return { ok: true, event: { source: 'shoko', at, kind: 'ignored', name, reason: 'connected to the shoko feed' } };
  if (argument === null || typeof argument !== 'object' || Array.isArray(argument)) {
    return {
      ok: false,
      error: `${name}: expected an object argument, received ${argument === null ? 'null' : Array.isArray(argument) ? 'array' : typeof argument}`,
    };
  }
  const model = 'RelativePath' in argument || 'Source' in argument || 'FileID' in argument ? argument : toPascal(argument);
  try {
    if (name === 'MovieUpdated') {
      const m = ShokoMovieUpdatedSchema.parse(model);
      if (m.Reason !== 'Added' || m.Source !== 'TMDB') {
        return { ok: true, event: { source: 'shoko', at, kind: 'ignored', name, reason: `MovieUpdated (${m.Source}, ${m.Reason}) is informational` } };
      }
      return { ok: true, event: { source: 'shoko', at, kind: 'shoko-movie', reason: m.Reason, media: { mediaType: 'movie', ids: { tmdb: m.MovieID } } } };
    }
    if (isMetadataEvent(name)) return { ok: true, event: { source: 'shoko', at, kind: 'ignored', name, reason: `${name} is informational` } };

    const file = ShokoFileSchema.parse(model);
    const crossReferences = (file.CrossReferences ?? []).map((x) => ({
      anidbEpisodeId: positive(x.AnidbEpisodeID),
      anidbAnimeId: positive(x.AnidbAnimeID),
      shokoEpisodeId: positive(x.EpisodeID),
      shokoSeriesId: positive(x.SeriesID),
    }));
    const linked = crossReferences.length > 0;
    const action =
      name === 'FileDeleted'
        ? 'gone'
        : name === 'FileRenamed' || name === 'FileMoved'
          ? 'moved'
          : name === 'FileMatched'
            ? linked
              ? 'matched'
              : 'seen'
            : name === 'FileNotMatched'
              ? // HasCrossReferences: already linked and nothing changed (a rescan), not a failure.
                file.HasCrossReferences || linked
                ? 'matched'
                : 'not-matched'
              : 'seen';
    return {
      ok: true,
      event: {
        source: 'shoko',
        at,
        kind: 'shoko-file',
        name,
        action,
        fileId: positive(file.FileID),
        importFolderId: file.ImportFolderID,
        relativePath: file.RelativePath.replace(/\\/g, '/').replace(/^\/+/, ''),
        folderPath: folders?.get(file.ImportFolderID),
        crossReferences,
        autoMatchAttempts: file.AutoMatchAttempts,
      },
    };
  } catch (err) {
    if (err instanceof z.ZodError) return { ok: false, error: `${name}: ${formatIssues(err)}` };
    throw err;
  }
}
