import type { MediaEventOf, ShokoFileEvent } from '../events';
import { fileNameOf } from '../file-path';
import type { RequestRecord } from '../model';
import { type RequestState } from '../states';
import { makeAvailable, reach } from './items';
import { fileHolders, matchShokoFile } from './paths';
import type { Targets } from './targets';
import type { Applied, ReduceOptions, What } from './rules';

/** The rules of where the media is: playable (Jellyfin, Shoko), deleted, added again (see rules.ts). */

export function available(targets: Targets, event: MediaEventOf<'available'>): Applied {
  const { movie } = targets;
  // What plays is there: a removal it follows (Jellyfin's ItemDeleted then ItemAdded on a rescan) is undone.
  if (movie) {
    if (event.jellyfinItemId) movie.setJellyfinItem(event.jellyfinItemId);
    movie.setRemoved(null);
    return { effects: [movie.step(makeAvailable)], what: { kind: 'available', source: event.source, scope: 'movie' } };
  }
  if (!event.episodes.length) {
    // The whole request: Jellyseerr sends MEDIA_AVAILABLE once every requested season is there.
    for (const t of targets.all()) t.setRemoved(null);
    return { effects: targets.whole(makeAvailable, 'always'), what: { kind: 'available', source: event.source, scope: 'request' } };
  }
  // A Shokofin item names its file; Shoko's numbering may differ from Sonarr's, so the file decides.
  const byFile = event.shokoFileId ? targets.byShokoFile(event.shokoFileId) : [];
  const found = byFile.length ? byFile : targets.named(event.episodes).flatMap(({ target }) => (target ? [target] : []));
  const effects = found.map((t) => {
    if (event.jellyfinItemId) t.setJellyfinItem(event.jellyfinItemId);
    t.setRemoved(null);
    return t.step(makeAvailable);
  });
  return { effects, what: { kind: 'available', source: event.source, scope: found.map((t) => t.key ?? '') } };
}

/**
 * Shoko's view of an imported anime file: it has the file (ANIME_MATCHING), linked it (matched, with
 * its file id; AVAILABLE only on Jellyfin's word unless the user says a match is enough), or could
 * not link it. Moving, renaming and deleting are only recorded.
 */
export function shokoFile(record: RequestRecord, targets: Targets, event: ShokoFileEvent, options: ReduceOptions): Applied {
  const found = matchShokoFile(event, fileHolders(record));
  if (found.kind === 'none') return { effects: ['same'], what: { kind: 'shoko-elsewhere', name: event.name, reason: found.reason } };
  const what: What = {
    kind: 'shoko-file',
    name: event.name,
    file: fileNameOf(event.relativePath),
    action: event.action,
    autoMatchAttempts: event.autoMatchAttempts ?? 0,
  };
  if (event.action === 'moved') return { effects: ['same'], what };
  if (event.action === 'gone') {
    const removed = targets.byFiles(found.holders).filter((t) => t.setRemoved(event.at)).length;
    return { effects: [removed ? 'advanced' : 'same'], what, forward: false };
  }
  record.isAnime = true;
  const target: RequestState = event.action === 'matched' && options.availableOnShokoMatch ? 'AVAILABLE' : 'ANIME_MATCHING';
  const effects = targets.byFiles(found.holders).map((t) => {
    t.setRemoved(null);
    const effect = t.step((item) => reach(item, target));
    if (event.action === 'matched' && event.fileId) t.setShokoFile(event.fileId);
    return effect;
  });
  return { effects, what };
}

/**
 * A deletion marks what it names removed: the whole media, or the file's movie or episodes. A file
 * deleted because a better one replaced it is an upgrade, not a removal.
 */
export function deleted(record: RequestRecord, targets: Targets, event: MediaEventOf<'deleted'>): Applied {
  const base = { kind: 'deleted', source: event.source, what: event.what, path: event.path, reason: event.reason } as const;
  if (event.what === 'file' && event.reason?.toLowerCase() === 'upgrade') return { effects: ['upgrade'], what: { ...base, removed: 0 }, forward: false };
  // Nobody deleted a file missing from disk (a network share unmounted, a disk not up yet): recorded, not a removal.
  if (event.what === 'file' && event.reason?.toLowerCase() === 'missingfromdisk') return { effects: ['same'], what: { ...base, removed: 0 }, forward: false };
  const items = event.what === 'media' || targets.movie ? targets.all() : targets.named(event.episodes).flatMap(({ target }) => (target ? [target] : []));
  let removed = items.filter((t) => t.setRemoved(event.at)).length;
  // A show deleted before any episode was tracked is removed as a whole.
  if (event.what === 'media' && !items.length && record.removedAt === null) {
    record.removedAt = event.at;
    removed = 1;
  }
  return { effects: [removed ? 'advanced' : 'same'], what: { ...base, removed }, forward: false };
}

/** The media is in the arr (again): a removal before it is undone. */
export function added(record: RequestRecord, targets: Targets, event: MediaEventOf<'added'>): Applied {
  const undone = targets.all().filter((t) => t.setRemoved(null)).length > 0 || undoWholeRemoval(record);
  return { effects: [undone ? 'advanced' : 'same'], what: { kind: 'added', source: event.source }, forward: false };
}

/** A removal of the whole request undone (a show removed before any episode was tracked). */
export function undoWholeRemoval(record: RequestRecord): boolean {
  if (record.removedAt === null) return false;
  record.removedAt = null;
  return true;
}
