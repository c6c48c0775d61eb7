import type { EpisodeKey, ShokoFileEvent } from '../events';
import { fileNameOf, pathSegments } from '../file-path';
import type { RequestRecord } from '../model';

/**
 * Finding the file a Shoko event is about. Shoko names it relative to one of its import folders;
 * Sonarr and Radarr name it absolutely, in their own mounts (`/data/anime/shows/X/Season 1/f.mkv`
 * against `anime/shows/X/Season 1/f.mkv`, or a different root altogether). So: an exact match when
 * the import folder's place is known, else the Shoko file id once it is recorded, else the longest
 * common suffix of path segments. A tie is no match: a wrong match is worse than none.
 */

function commonSuffix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** Something with an imported file: a movie request or one episode. */
export interface FileHolder {
  finalPath: string | null;
  shokoFileId: number | null;
}

export type PathMatch<T> = { kind: 'match'; holders: T[]; via: 'path' | 'fileId' | 'suffix' } | { kind: 'none'; reason: string };

export function matchShokoFile<T extends FileHolder>(event: ShokoFileEvent, holders: T[]): PathMatch<T> {
  const relative = pathSegments(event.relativePath);
  const name = relative[relative.length - 1];
  if (!name) return { kind: 'none', reason: `${event.name} has an empty path` };
  const withFile = holders.filter((h) => h.finalPath && fileNameOf(h.finalPath) === name);

  if (event.folderPath) {
    const absolute = [...pathSegments(event.folderPath), ...relative].join('/');
    const exact = withFile.filter((h) => pathSegments(h.finalPath!).join('/') === absolute);
    if (exact.length) return { kind: 'match', holders: exact, via: 'path' };
  }
  if (event.fileId) {
    const byId = holders.filter((h) => h.shokoFileId === event.fileId);
    if (byId.length) return { kind: 'match', holders: byId, via: 'fileId' };
  }
  if (!withFile.length) return { kind: 'none', reason: `no imported file is named ${name}` };

  // Several holders can share one file (a two-episode file): rank distinct paths, not holders.
  const byPath = new Map<string, T[]>();
  for (const h of withFile) byPath.set(h.finalPath!, [...(byPath.get(h.finalPath!) ?? []), h]);
  const ranked = [...byPath.entries()].map(([path, list]) => ({ list, suffix: commonSuffix(relative, pathSegments(path)) }));
  const best = Math.max(...ranked.map((r) => r.suffix));
  const top = ranked.filter((r) => r.suffix === best);
  const [winner] = top;
  if (!winner || top.length > 1) {
    return {
      kind: 'none',
      reason: `${top.length} imported files end in the same ${best === 1 ? 'name' : `${best} path segments`} as ${relative.slice(-best).join('/')}; add a path mapping for import folder ${event.importFolderId}`,
    };
  }
  return { kind: 'match', holders: winner.list, via: 'suffix' };
}

/** Every imported file of a request: the movie's, or each episode's (keyed by its numbers). */
export type RequestFile = FileHolder & { requestId: number; episode?: EpisodeKey };

export function fileHolders(record: RequestRecord): RequestFile[] {
  if (record.mediaType === 'movie') return [{ requestId: record.id, finalPath: record.finalPath, shokoFileId: record.shokoFileId }];
  return record.episodes.map((e) => ({
    requestId: record.id,
    finalPath: e.finalPath,
    shokoFileId: e.shokoFileId,
    episode: { season: e.season, episode: e.episode },
  }));
}
