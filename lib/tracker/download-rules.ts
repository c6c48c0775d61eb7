import type { MediaEventOf, ProgressEvent } from '../events';
import type { RequestRecord } from '../model';
import { episodeKey } from '../episode-numbers';
import { rank, type RequestState } from '../states';
import { fail, grab, importFile, reach, type Effect, type Item, type Step } from './items';
import type { Targets } from './targets';
import type { Applied, ReduceOptions, What } from './rules';

/** The rules of downloads: grabs, imports, renames, the download client's progress, the arrs' download problems (see rules.ts). */

/**
 * A grab: per item, an upgrade of what is already imported, a (re)start of what is not, and a new
 * episode for one not tracked yet, whatever the request's state (an airing show's next episode). What
 * it names is there again if it had been deleted.
 */
export function grabbed(record: RequestRecord, targets: Targets, event: MediaEventOf<'grabbed'>): Applied {
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

export function imported(record: RequestRecord, targets: Targets, event: MediaEventOf<'imported'>, options: ReduceOptions): Applied {
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

export function renamed(record: RequestRecord, targets: Targets, event: MediaEventOf<'renamed'>): Applied {
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
 * What the download client says. The download's progress, speed and ETA always update; what depends
 * on it moves on to DOWNLOADING or DOWNLOADED (a torrent complete at first sight jumps straight
 * there), or fails if not imported yet. Inside a season pack each episode takes its own file's progress.
 */
export function progress(record: RequestRecord, targets: Targets, event: ProgressEvent): Applied {
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

/** An arr's queue or history about a download: a blocked import needs a human; a failure fails what it has not imported. */
export function downloadProblem(targets: Targets, event: MediaEventOf<'download-problem'>): Applied {
  const what: What = { kind: 'download-problem', source: event.source, problem: event.problem, reason: event.reason };
  if (event.problem === 'import-blocked') return { effects: ['same'], what, forward: false };
  const byDownload = event.downloadId ? targets.byDownload(event.downloadId) : [];
  const items = byDownload.length || !event.episodes.length ? byDownload : targets.named(event.episodes).flatMap(({ target }) => (target ? [target] : []));
  const effects = items.map((t) => t.step((item) => (rank(item.state) < rank('IMPORTING') ? fail(item) : { item, effect: 'late' })));
  return { effects: effects.length ? effects : ['same'], what };
}
