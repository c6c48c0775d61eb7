import type { ActionEvent, ArrStatusEvent, EpisodeKey, MediaEventOf, ProgressEvent, ShokoFileEvent, Source, StuckEvent, TrackedEvent } from '../events';
import { fileNameOf } from '../file-path';
import type { ArrStatus, RequestRecord } from '../model';
import { episodeKey } from '../episode-numbers';
import { rank, type RequestState } from '../states';
import { fail, grab, importFile, makeAvailable, reach, type Effect, type Item, type Step } from './items';
import { fileHolders, matchShokoFile } from './paths';
import type { Targets } from './targets';

/**
 * What each event does to the items it touches (see targets.ts), written once for movies and shows.
 * A rule changes the record and says what happened as data (`What`); timeline-text.ts words it and
 * attention.ts decides what needs a human.
 */

export interface ReduceOptions {
  /** For users without Jellyfin: an import is as good as playable. */
  availableOnImport: boolean;
  /** For users without Jellyfin: a Shoko match is as good as playable. */
  availableOnShokoMatch: boolean;
}

type Release = MediaEventOf<'grabbed'>['release'];

/** What happened, for the timeline. */
export type What =
  | { kind: 'requested'; by: string | null }
  | { kind: 'approved'; auto: boolean }
  | { kind: 'failure'; reason: string }
  /** `episodes`: how many the grab names (undefined for a movie). */
  | { kind: 'grabbed'; release: Release; episodes: number | undefined }
  | { kind: 'imported'; path: string | undefined }
  | { kind: 'imported-episodes'; episodes: EpisodeKey[]; files: number; unplaced: number }
  /** scope: the movie, the whole request, or these episodes. */
  | { kind: 'available'; source: Source; scope: 'movie' | 'request' | string[] }
  | { kind: 'manual-interaction'; reason: string }
  | { kind: 'added'; source: Source }
  /** `removed`: how many items it marked removed (0 for an upgrade's deletion, or what was gone already). */
  | { kind: 'deleted'; source: Source; what: 'media' | 'file'; path: string | undefined; reason: string | undefined; removed: number }
  | { kind: 'download-problem'; source: Source; problem: 'import-blocked' | 'download-failed'; reason: string }
  | { kind: 'listed'; added: EpisodeKey[] }
  | { kind: 'arr-status'; source: Source }
  | { kind: 'action'; action: ActionEvent['action']; by: string; reason: string | undefined; detail: string }
  | { kind: 'renamed'; files: number }
  | { kind: 'issue'; issueType: string | undefined; issueId: number | undefined; action: string; message: string | undefined }
  | { kind: 'shoko-elsewhere'; name: string; reason: string }
  | { kind: 'shoko-file'; name: string; file: string; action: ShokoFileEvent['action']; autoMatchAttempts: number }
  | { kind: 'shoko-movie' }
  | { kind: 'progress'; state: ProgressEvent['state']; progress: number; clientState: string }
  | { kind: 'late-progress'; clientState: string }
  | { kind: 'not-a-download' }
  | { kind: 'stuck'; reason: string };

/**
 * What applying an event did. `quiet` events (download progress, polled again and again) get a
 * timeline entry only when they move a stage; `forward` says progress was made even without a stage
 * moving (a download's percentage went up), which is what stuck detection counts from.
 */
export interface Applied {
  effects: Effect[];
  what: What;
  quiet?: boolean;
  forward?: boolean;
}

/**
 * A grab: per item, an upgrade of what is already imported, a (re)start of what is not, and a new
 * episode for one not tracked yet, whatever the request's state (an airing show's next episode). What
 * it names is there again if it had been deleted.
 */
function grabbed(record: RequestRecord, targets: Targets, event: MediaEventOf<'grabbed'>): Applied {
  const what: What = { kind: 'grabbed', release: event.release, episodes: record.mediaType === 'tv' ? event.episodes.length : undefined };
  const effects = targets.named(event.episodes, 'GRABBING').map(({ target, added }, i) => {
    if (!target) return 'same';
    const ref = event.episodes[i];
    if (ref) target.fill(ref);
    target.setRemoved(null);
    // A newly tracked episode starts at GRABBING with this download.
    if (added) return target.step((item) => ({ item: { ...item, downloadId: event.downloadId ?? null }, effect: 'advanced' }));
    return target.step((item) => grab(item, event.downloadId));
  });
  return { effects, what };
}

function imported(record: RequestRecord, targets: Targets, event: MediaEventOf<'imported'>, options: ReduceOptions): Applied {
  const target: RequestState = options.availableOnImport ? 'AVAILABLE' : 'IMPORTING';
  const pathOf = new Map<string, string>();
  for (const file of event.files) for (const e of file.episodes) pathOf.set(episodeKey(e), file.path);
  // An import names episodes tracked from now on (an upgrade of an AVAILABLE one is recorded per episode).
  const effects = targets.named(event.episodes, 'GRABBING').map(({ target: t }, i): Effect => {
    if (!t) return 'same';
    const ref = event.episodes[i];
    if (ref) t.fill(ref);
    t.setRemoved(null);
    // A movie's file is the import's file; an episode's is the file that names it.
    const path = t.key === undefined ? event.files[0]?.path : pathOf.get(t.key);
    return t.step((item) => importFile(item, target, path, event.downloadId));
  });
  if (record.mediaType === 'movie') return { effects, what: { kind: 'imported', path: event.files[0]?.path } };
  if (event.folder) record.finalPath = event.folder;
  const placed = event.files.filter((f) => f.episodes.length).length;
  return { effects, what: { kind: 'imported-episodes', episodes: event.episodes, files: event.files.length, unplaced: event.files.length - placed } };
}

function available(targets: Targets, event: MediaEventOf<'available'>): Applied {
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

function renamed(record: RequestRecord, targets: Targets, event: MediaEventOf<'renamed'>): Applied {
  const moves = new Map(event.files.map((f) => [f.previousPath, f.path]));
  let moved = 0;
  for (const t of targets.all()) {
    const path = t.item.finalPath;
    const to = path ? moves.get(path) : undefined;
    if (to === undefined) continue;
    t.step((item) => ({ item: { ...item, finalPath: to }, effect: 'same' }));
    moved++;
  }
  // A show's final path is its folder, renamed with the files only if a file was that path.
  const folder = record.mediaType === 'tv' && record.finalPath ? moves.get(record.finalPath) : undefined;
  if (folder !== undefined) {
    record.finalPath = folder;
    moved++;
  }
  return { effects: [moved ? 'advanced' : 'same'], what: { kind: 'renamed', files: event.files.length } };
}

/**
 * Shoko's view of an imported anime file: it has the file (ANIME_MATCHING), linked it (matched, with
 * its file id; AVAILABLE only on Jellyfin's word unless the user says a match is enough), or could
 * not link it. Moving, renaming and deleting are only recorded.
 */
function shokoFile(record: RequestRecord, targets: Targets, event: ShokoFileEvent, options: ReduceOptions): Applied {
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
 * What the download client says. The download's progress, speed and ETA always update; what depends
 * on it moves on to DOWNLOADING or DOWNLOADED (a torrent complete at first sight jumps straight
 * there), or fails if not imported yet. Inside a season pack each episode takes its own file's progress.
 */
function progress(record: RequestRecord, targets: Targets, event: ProgressEvent): Applied {
  const download = record.downloads.find((d) => d.id === event.downloadId);
  if (!download) return { effects: ['same'], what: { kind: 'not-a-download' }, quiet: true };
  const before = { ...download };
  // A poll older than what is known (the import said it was complete) moves nothing back.
  if (event.state !== 'FAILED' && before.state !== 'FAILED' && rank(event.state) < rank(before.state)) {
    return { effects: ['late'], what: { kind: 'late-progress', clientState: event.clientState }, quiet: true, forward: false };
  }
  const running = event.state === 'DOWNLOADING';
  Object.assign(download, {
    progress: event.progress,
    state: event.state,
    speed: running ? (event.speed ?? null) : null,
    etaSeconds: running ? (event.etaSeconds ?? null) : null,
    clientState: event.clientState,
    seeds: event.seeds ?? download.seeds,
    activeAt: event.activeAt ?? download.activeAt,
  });
  const step = (item: Item): Step =>
    event.state === 'FAILED' ? (rank(item.state) < rank('IMPORTING') ? fail(item) : { item, effect: 'same' }) : reach(item, event.state);
  const ofFile = new Map<string, number>();
  for (const file of event.files ?? []) for (const e of file.episodes) ofFile.set(episodeKey(e), file.progress);
  const effects = targets.byDownload(event.downloadId).map((t) => {
    const effect = t.step(step);
    t.setProgress(rank(t.item.state) >= rank('DOWNLOADED') ? 1 : (ofFile.get(t.key ?? '') ?? event.progress));
    return effect;
  });
  if (before.state !== download.state) effects.push('advanced');
  return {
    effects,
    what: { kind: 'progress', state: event.state, progress: event.progress, clientState: event.clientState },
    quiet: true,
    forward: event.progress > before.progress,
  };
}

/**
 * A deletion marks what it names removed: the whole media, or the file's movie or episodes. A file
 * deleted because a better one replaced it is an upgrade, not a removal.
 */
function deleted(record: RequestRecord, targets: Targets, event: MediaEventOf<'deleted'>): Applied {
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

/** An arr's queue or history about a download: a blocked import needs a human; a failure fails what it has not imported. */
function downloadProblem(targets: Targets, event: MediaEventOf<'download-problem'>): Applied {
  const what: What = { kind: 'download-problem', source: event.source, problem: event.problem, reason: event.reason };
  if (event.problem === 'import-blocked') return { effects: ['same'], what, forward: false };
  const byDownload = event.downloadId ? targets.byDownload(event.downloadId) : [];
  const items = byDownload.length || !event.episodes.length ? byDownload : targets.named(event.episodes).flatMap(({ target }) => (target ? [target] : []));
  const effects = items.map((t) => t.step((item) => (rank(item.state) < rank('IMPORTING') ? fail(item) : { item, effect: 'late' })));
  return { effects: effects.length ? effects : ['same'], what };
}

/** Sonarr's list of a show's requested episodes: the aired ones are tracked (APPROVED until grabbed), the others shown as upcoming. */
function listed(record: RequestRecord, targets: Targets, event: MediaEventOf<'episodes-listed'>): Applied {
  const added = targets.named(event.episodes, 'APPROVED').flatMap(({ target, added: isNew }, i) => {
    const ref = event.episodes[i];
    if (target && ref) target.fill(ref);
    return isNew && ref ? [{ season: ref.season, episode: ref.episode }] : [];
  });
  record.upcoming = event.upcoming
    .map((u) => ({ season: u.season, episode: u.episode, title: u.title ?? null, airDate: u.airDate ?? null }))
    .sort((a, b) => a.season - b.season || a.episode - b.episode);
  return { effects: [added.length ? 'advanced' : 'same'], what: { kind: 'listed', added }, quiet: !added.length, forward: false };
}

/** The media is in the arr (again): a removal before it is undone. */
function added(record: RequestRecord, targets: Targets, event: MediaEventOf<'added'>): Applied {
  const undone = targets.all().filter((t) => t.setRemoved(null)).length > 0 || undoWholeRemoval(record);
  return { effects: [undone ? 'advanced' : 'same'], what: { kind: 'added', source: event.source }, forward: false };
}

/** A removal of the whole request undone (a show removed before any episode was tracked). */
function undoWholeRemoval(record: RequestRecord): boolean {
  if (record.removedAt === null) return false;
  record.removedAt = null;
  return true;
}

/**
 * A person's action: recorded; marking available moves what it names there (a correction, on their
 * word). A deletion's steps: planned (held on the request), kept or done (dropped), cancelled because
 * the source of truth still has the media (the removal was wrong: undone).
 */
function action(record: RequestRecord, targets: Targets, event: ActionEvent): Applied {
  const what: What = { kind: 'action', action: event.action, by: event.by, reason: event.reason, detail: event.detail };
  switch (event.action) {
    case 'deletion-planned':
      record.deletion = event.deletion ?? null;
      return { effects: ['same'], what, forward: false };
    case 'deletion-cancelled':
      for (const t of targets.all()) t.setRemoved(null);
      undoWholeRemoval(record);
      record.deletion = null;
      return { effects: ['same'], what, forward: false };
    case 'keep':
    case 'deletion-dry-run':
    case 'deletion-sync':
      record.deletion = null;
      return { effects: ['same'], what, forward: false };
    case 'explain':
      record.rejections = event.rejections ?? null;
      return { effects: ['same'], what, forward: false };
    case 'strike': {
      // The automatic retry's count, shown on the download: no timeline entry for each check.
      const download = record.downloads.find((d) => d.id === event.downloadId);
      if (download && event.strikes !== undefined) download.strikes = event.strikes;
      return { effects: ['same'], what, quiet: true, forward: false };
    }
    case 'mark-available':
      break;
    default:
      return { effects: ['same'], what, forward: false };
  }
  const items = event.episodes.length ? targets.named(event.episodes).flatMap(({ target }) => (target ? [target] : [])) : undefined;
  const effects = items ? items.map((t) => t.step(makeAvailable)) : targets.whole(makeAvailable, 'always');
  return { effects, what };
}

/**
 * What the arr's record says before a grab, kept for the waiting reason (see waiting.ts). A search the
 * arr made since the last reading (a new lastSearchTime) is counted; nothing else about it is news.
 */
function arrStatus(record: RequestRecord, event: ArrStatusEvent): Applied {
  const before = record.arr;
  const what: What = { kind: 'arr-status', source: event.source };
  // One instance without it says nothing against another that has it (an anime Radarr beside the main one).
  if (!event.status.present && before?.present && before.instance !== event.status.instance) return { effects: ['same'], what, quiet: true, forward: false };
  // Read again and the same: nothing to write.
  if (before && sameStatus(before, event.status)) return { effects: ['same'], what, quiet: true, forward: false };
  const searched = event.status.lastSearchAt !== null && event.status.lastSearchAt !== before?.lastSearchAt;
  record.arr = { ...event.status, searches: (before?.searches ?? 0) + (searched ? 1 : 0) };
  return { effects: ['same'], what, quiet: true, forward: false };
}

function sameStatus(before: ArrStatus, after: ArrStatusEvent['status']): boolean {
  const { at: _a, searches: _s, ...was } = before;
  const { at: _b, ...is } = after;
  return JSON.stringify(was) === JSON.stringify(is);
}

function stuck(event: StuckEvent): Applied {
  return { effects: ['same'], what: { kind: 'stuck', reason: event.reason }, forward: false };
}

export function applyEvent(record: RequestRecord, targets: Targets, event: TrackedEvent, options: ReduceOptions): Applied {
  switch (event.kind) {
    case 'requested':
      return { effects: [targets.raiseStage('REQUESTED')], what: { kind: 'requested', by: record.requestedBy } };
    case 'approved':
      return { effects: [targets.raiseStage('APPROVED')], what: { kind: 'approved', auto: event.auto } };
    case 'declined':
    case 'failed':
      return { effects: targets.whole(fail, 'without-episodes'), what: { kind: 'failure', reason: event.reason } };
    case 'grabbed':
      return grabbed(record, targets, event);
    case 'imported':
      return imported(record, targets, event, options);
    case 'available':
      return available(targets, event);
    case 'manual-interaction':
      return { effects: ['same'], what: { kind: 'manual-interaction', reason: event.reason } };
    case 'added':
      return added(record, targets, event);
    case 'deleted':
      return deleted(record, targets, event);
    case 'download-problem':
      return downloadProblem(targets, event);
    case 'episodes-listed':
      return listed(record, targets, event);
    case 'renamed':
      return renamed(record, targets, event);
    case 'issue':
      return { effects: ['same'], what: { kind: 'issue', issueType: event.issueType, issueId: event.issueId, action: event.action, message: event.message } };
    case 'shoko-file':
      return shokoFile(record, targets, event, options);
    case 'shoko-movie':
      return { effects: ['same'], what: { kind: 'shoko-movie' } };
    case 'download-progress':
      return progress(record, targets, event);
    case 'arr-status':
      return arrStatus(record, event);
    case 'stuck':
      return stuck(event);
    case 'action':
      return action(record, targets, event);
  }
}
