import type { EpisodeRef, MediaBearingEvent, MediaInfo, ProgressEvent, ShokoFileEvent, Source, StuckEvent, TrackedEvent } from '../events';
import { episodeKey } from '../sources/episode-numbers';
import { rank, type EpisodeState, type RequestState } from '../states';
import { deriveDownloads, deriveState } from './aggregate';
import { fail, grab, importFile, makeAvailable, raise, reach, type Effect, type Item, type Step } from './items';
import type { Attention, EpisodeRecord, RequestRecord, TimelineEntry } from '../model';
import { fileNameOf } from '../file-path';
import { fileHolders, matchShokoFile } from './paths';

/**
 * The state machine: a pure function of (current record, event). Nothing is refused and nothing is
 * half-applied: an event that implies a later stage jumps there, an earlier-stage event is recorded
 * without moving anything back. Duplicates never reach this function (see facts.ts).
 */

export interface ReduceOptions {
  /** For users without Jellyfin: an import is as good as playable. */
  availableOnImport: boolean;
  /** For users without Jellyfin: a Shoko match is as good as playable. */
  availableOnShokoMatch: boolean;
}

export interface Reduction {
  record: RequestRecord;
  /** The timeline entry, or null when nothing worth one happened (a download's percentage moving). */
  entry: TimelineEntry | null;
  /** Anything in the record changed (timestamps aside). */
  changed: boolean;
  /** The state before, or null for a new request. */
  from: RequestState | null;
  /** A new attention flag was raised by this event. */
  attentionRaised: boolean;
}

/**
 * What applying an event did. `quiet` events (download progress, polled again and again) get a
 * timeline entry only when they move a stage; `forward` says progress was made even without a stage
 * moving (a download's percentage went up), which is what stuck detection counts from.
 */
type Applied = { effects: Effect[]; detail: string; quiet?: boolean; forward?: boolean };

/** Attention that progress answers; an issue stays until Jellyseerr says it is resolved. */
const CLEARED_BY_PROGRESS: Attention['kind'][] = ['manual-interaction', 'declined', 'failed', 'stuck', 'needs-link'];

type MediaEvent = MediaBearingEvent;

export function createRecord(event: MediaEvent): RequestRecord {
  return {
    id: 0,
    mediaType: event.media.mediaType,
    title: null,
    year: null,
    isAnime: false,
    stage: 'REQUESTED',
    state: 'REQUESTED',
    requestedBy: null,
    posterUrl: null,
    infoSource: null,
    requestedSeasons: [],
    ids: { jellyseerrRequest: null, tmdb: null, tvdb: null, imdb: null, radarr: null, sonarr: null, jellyfin: null },
    downloadId: null,
    finalPath: null,
    shokoFileId: null,
    attention: null,
    episodes: [],
    downloads: [],
    createdAt: event.at,
    updatedAt: event.at,
    stateChangedAt: event.at,
    availableAt: null,
    progressAt: event.at,
  };
}

/**
 * How far a source's words about the media count: Jellyseerr's title, year and poster are what the
 * household asked for; the arrs' come next, Jellyfin's last. A precedence (not "first word wins")
 * makes the result the same whatever order the webhooks arrive in.
 */
const INFO_PRECEDENCE: Partial<Record<Source, number>> = { jellyseerr: 3, radarr: 2, sonarr: 2, jellyfin: 1 };

function mergeMedia(record: RequestRecord, media: MediaInfo, source: Source): void {
  const weight = INFO_PRECEDENCE[source] ?? 0;
  const current = record.infoSource ? (INFO_PRECEDENCE[record.infoSource] ?? 0) : 0;
  if (weight >= current && (media.title || media.year || media.posterUrl)) {
    record.title = media.title ?? record.title;
    record.year = media.year ?? record.year;
    record.posterUrl = media.posterUrl ?? record.posterUrl;
    record.infoSource = source;
  } else {
    record.title ??= media.title ?? null;
    record.year ??= media.year ?? null;
    record.posterUrl ??= media.posterUrl ?? null;
  }
  record.requestedBy ??= media.requestedBy ?? null;
  // Once anything says anime it is anime (a Radarr tag may be added after the first grab).
  record.isAnime ||= media.isAnime ?? false;
  const ids = record.ids as Record<keyof RequestRecord['ids'], number | string | null>;
  for (const key of Object.keys(ids) as (keyof RequestRecord['ids'])[]) {
    const value = media.ids[key];
    if (ids[key] === null && value !== undefined) ids[key] = value;
  }
  if (media.requestedSeasons?.length) {
    record.requestedSeasons = [...new Set([...record.requestedSeasons, ...media.requestedSeasons])].sort((a, b) => a - b);
  }
}

function movieItem(record: RequestRecord): Item {
  return { state: record.stage, downloadId: record.downloadId, finalPath: record.finalPath };
}

function setMovieItem(record: RequestRecord, step: Step): Effect {
  record.stage = step.item.state;
  record.downloadId = step.item.downloadId;
  record.finalPath = step.item.finalPath;
  return step.effect;
}

function setEpisodeItem(episode: EpisodeRecord, step: Step): Effect {
  episode.state = step.item.state as EpisodeState;
  episode.downloadId = step.item.downloadId;
  episode.finalPath = step.item.finalPath;
  return step.effect;
}

function episodeIndex(record: RequestRecord): Map<string, EpisodeRecord> {
  return new Map(record.episodes.map((e) => [episodeKey(e), e]));
}

/** The tracked episode a reference names: by its own TVDB id when both sides know it, else by numbers. */
function findEpisode(record: RequestRecord, index: Map<string, EpisodeRecord>, ref: EpisodeRef): EpisodeRecord | undefined {
  if (ref.tvdbId) {
    const byTvdb = record.episodes.find((e) => e.tvdbId === ref.tvdbId);
    if (byTvdb) return byTvdb;
  }
  return index.get(episodeKey(ref));
}

function addEpisode(record: RequestRecord, index: Map<string, EpisodeRecord>, ref: EpisodeRef, state: EpisodeState): EpisodeRecord {
  const episode: EpisodeRecord = {
    season: ref.season,
    episode: ref.episode,
    title: ref.title ?? null,
    state,
    downloadId: null,
    finalPath: null,
    tvdbId: ref.tvdbId ?? null,
    jellyfinId: null,
    shokoFileId: null,
    progress: null,
  };
  record.episodes.push(episode);
  index.set(episodeKey(ref), episode);
  return episode;
}

function fillEpisode(episode: EpisodeRecord, ref: EpisodeRef): void {
  episode.title ??= ref.title ?? null;
  episode.tvdbId ??= ref.tvdbId ?? null;
}

function sortEpisodes(record: RequestRecord): void {
  record.episodes.sort((a, b) => a.season - b.season || a.episode - b.episode);
}

function countLabel(n: number): string {
  return n === 1 ? '1 episode' : `${n} episodes`;
}

function applyGrab(record: RequestRecord, event: Extract<TrackedEvent, { kind: 'grabbed' }>): Applied {
  const r = event.release;
  const what = [r?.quality, r?.indexer ? `from ${r.indexer}` : undefined].filter(Boolean).join(' ');
  const release = [what, r?.title].filter(Boolean).join(': ') || 'release grabbed';
  if (record.mediaType === 'movie') {
    return { effects: [setMovieItem(record, grab(movieItem(record), event.downloadId))], detail: release };
  }
  if (record.state === 'AVAILABLE') return { effects: ['upgrade'], detail: `${release} (${countLabel(event.episodes.length)})` };
  const index = episodeIndex(record);
  const effects = event.episodes.map((ref) => {
    const existing = findEpisode(record, index, ref);
    if (!existing) {
      const episode = addEpisode(record, index, ref, 'GRABBING');
      episode.downloadId = event.downloadId ?? null;
      return 'advanced' as const;
    }
    fillEpisode(existing, ref);
    return setEpisodeItem(existing, grab(existing, event.downloadId));
  });
  sortEpisodes(record);
  return { effects, detail: `${release} (${countLabel(event.episodes.length)})` };
}

function applyImport(record: RequestRecord, event: Extract<TrackedEvent, { kind: 'imported' }>, options: ReduceOptions): Applied {
  const target: RequestState = options.availableOnImport ? 'AVAILABLE' : 'IMPORTING';
  if (record.mediaType === 'movie') {
    const path = event.files[0]?.path;
    return { effects: [setMovieItem(record, importFile(movieItem(record), target, path, event.downloadId))], detail: path ?? 'imported' };
  }
  const pathOf = new Map<string, string>();
  for (const file of event.files) for (const e of file.episodes) pathOf.set(episodeKey(e), file.path);
  const index = episodeIndex(record);
  const requestAvailable = record.state === 'AVAILABLE';
  const effects: Effect[] = [];
  for (const ref of event.episodes) {
    const path = pathOf.get(episodeKey(ref));
    let episode = findEpisode(record, index, ref);
    if (!episode) {
      // A finished request gains no episodes from an upgrade; otherwise an import names episodes we track from now on.
      if (requestAvailable) {
        effects.push('upgrade');
        continue;
      }
      episode = addEpisode(record, index, ref, 'GRABBING');
    }
    fillEpisode(episode, ref);
    effects.push(setEpisodeItem(episode, importFile(episode, target, path, event.downloadId)));
  }
  if (event.folder && !requestAvailable) record.finalPath = event.folder;
  sortEpisodes(record);
  const placed = event.files.filter((f) => f.episodes.length).length;
  const unplaced = event.files.length - placed;
  const detail = `${countLabel(event.episodes.length)}, ${event.files.length === 1 ? '1 file' : `${event.files.length} files`}${unplaced ? ` (${unplaced} not placed by name)` : ''}`;
  return { effects, detail };
}

function applyAvailable(record: RequestRecord, event: Extract<TrackedEvent, { kind: 'available' }>): Applied {
  const via = event.source === 'jellyfin' ? 'in Jellyfin' : 'according to Jellyseerr';
  if (record.mediaType === 'movie') {
    if (event.jellyfinItemId) record.ids.jellyfin ??= event.jellyfinItemId;
    return { effects: [setMovieItem(record, makeAvailable(movieItem(record)))], detail: `playable ${via}` };
  }
  if (!event.episodes.length) {
    // The whole request (Jellyseerr sends MEDIA_AVAILABLE once every requested season is there).
    const effects = record.episodes.map((e) => setEpisodeItem(e, makeAvailable(e)));
    const stage = raise(record.stage, 'AVAILABLE');
    record.stage = stage.state;
    return { effects: [...effects, stage.effect], detail: `every requested season is available ${via}` };
  }
  const index = episodeIndex(record);
  const effects: Effect[] = [];
  const named: string[] = [];
  // A Shokofin item names its file; Shoko's numbering may differ from Sonarr's, so the file decides.
  const byFile = event.shokoFileId ? record.episodes.filter((e) => e.shokoFileId === event.shokoFileId) : [];
  const episodes = byFile.length ? byFile : event.episodes.map((ref) => findEpisode(record, index, ref));
  for (const episode of episodes) {
    if (!episode) continue;
    if (event.jellyfinItemId) episode.jellyfinId ??= event.jellyfinItemId;
    named.push(episodeKey(episode));
    effects.push(setEpisodeItem(episode, makeAvailable(episode)));
  }
  return { effects, detail: `${named.join(', ') || 'episode'} playable ${via}` };
}

function applyFailure(record: RequestRecord, event: Extract<TrackedEvent, { kind: 'declined' | 'failed' }>): Applied {
  let effects: Effect[];
  if (record.mediaType === 'movie') {
    effects = [setMovieItem(record, fail(movieItem(record)))];
  } else {
    effects = record.episodes.map((e) => setEpisodeItem(e, fail(e)));
    const stage = fail({ state: record.stage, downloadId: null, finalPath: null });
    record.stage = stage.item.state;
    if (!record.episodes.length) effects.push(stage.effect);
  }
  if (effects.includes('advanced')) record.attention = { kind: event.kind, reason: event.reason, since: event.at };
  return { effects, detail: event.reason };
}

function applyStage(record: RequestRecord, target: RequestState): Effect {
  const result = raise(record.stage, target);
  record.stage = result.state;
  return result.effect;
}

function applyRename(record: RequestRecord, event: Extract<TrackedEvent, { kind: 'renamed' }>): Applied {
  const moves = new Map(event.files.map((f) => [f.previousPath, f.path]));
  let moved = 0;
  if (record.finalPath && moves.has(record.finalPath)) {
    record.finalPath = moves.get(record.finalPath)!;
    moved++;
  }
  for (const episode of record.episodes) {
    if (episode.finalPath && moves.has(episode.finalPath)) {
      episode.finalPath = moves.get(episode.finalPath)!;
      moved++;
    }
  }
  return { effects: [moved ? 'advanced' : 'same'], detail: `${event.files.length === 1 ? '1 file' : `${event.files.length} files`} renamed` };
}

function applyIssue(record: RequestRecord, event: Extract<TrackedEvent, { kind: 'issue' }>): Applied {
  const label = `${event.issueType ? `${event.issueType.toLowerCase()} ` : ''}issue${event.issueId ? ` #${event.issueId}` : ''}`;
  const detail = `${label} ${event.action}${event.message ? `: ${event.message}` : ''}`;
  if (event.action === 'created' || event.action === 'reopened') {
    record.attention = { kind: 'issue', reason: `${label} reported${event.message ? `: ${event.message}` : ''}`.slice(0, 1000), since: event.at };
  } else if (event.action === 'resolved' && record.attention?.kind === 'issue') {
    record.attention = null;
  }
  return { effects: ['same'], detail };
}

/**
 * Shoko's view of an imported anime file: it has the file (ANIME_MATCHING), linked it (matched, with
 * its file id; AVAILABLE only on Jellyfin's word unless the user says a match is enough), or could
 * not link it (attention: a manual link). Moving, renaming and deleting are only recorded.
 */
function applyShokoFile(record: RequestRecord, event: ShokoFileEvent, options: ReduceOptions): Applied {
  const found = matchShokoFile(event, fileHolders(record));
  if (found.kind === 'none') return { effects: ['same'], detail: `${event.name}: ${found.reason}` };
  const file = fileNameOf(event.relativePath);
  if (event.action === 'gone' || event.action === 'moved') return { effects: ['same'], detail: `${event.name} in Shoko: ${file}` };
  record.isAnime = true;
  const target: RequestState = event.action === 'matched' && options.availableOnShokoMatch ? 'AVAILABLE' : 'ANIME_MATCHING';
  const update = (item: Item): Step => reach(item, target);
  const effects: Effect[] = [];
  if (record.mediaType === 'movie') {
    effects.push(setMovieItem(record, update(movieItem(record))));
    if (event.action === 'matched' && event.fileId) record.shokoFileId = event.fileId;
  } else {
    const keys = new Set(found.holders.map((h) => (h.episode ? episodeKey(h.episode) : '')));
    for (const episode of record.episodes.filter((e) => keys.has(episodeKey(e)))) {
      effects.push(setEpisodeItem(episode, update(episode)));
      if (event.action === 'matched' && event.fileId) episode.shokoFileId = event.fileId;
    }
  }
  if (event.action === 'not-matched') {
    const attempts = event.autoMatchAttempts ?? 0;
    record.attention = {
      kind: 'needs-link',
      reason: `needs a manual link in Shoko (${attempts} automatic match ${attempts === 1 ? 'attempt' : 'attempts'}): ${file}`,
      since: event.at,
    };
  } else if (event.action === 'matched' && record.attention?.kind === 'needs-link') {
    record.attention = null;
  }
  const what = { seen: 'has the file', matched: 'matched it', 'not-matched': 'could not match it' }[event.action];
  return { effects, detail: `Shoko ${what} (${event.name}): ${file}` };
}

/**
 * What the download client says. The download's progress, speed and ETA always update; its movie or
 * episodes move on to DOWNLOADING or DOWNLOADED (a torrent complete at first sight jumps straight
 * there), or fail if not imported yet. Inside a season pack each episode takes its own file's progress.
 */
function applyProgress(record: RequestRecord, event: ProgressEvent): Applied {
  const download = record.downloads.find((d) => d.id === event.downloadId);
  if (!download) return { effects: ['same'], detail: 'not a current download', quiet: true };
  const before = { ...download };
  // A poll older than what is known (the import said it was complete) moves nothing back.
  if (event.state !== 'FAILED' && before.state !== 'FAILED' && rank(event.state) < rank(before.state)) {
    return { effects: ['late'], detail: `late progress (${event.clientState})`, quiet: true, forward: false };
  }
  const running = event.state === 'DOWNLOADING';
  Object.assign(download, {
    progress: event.progress,
    state: event.state,
    speed: running ? (event.speed ?? null) : null,
    etaSeconds: running ? (event.etaSeconds ?? null) : null,
  });
  const step = (item: Item): Step =>
    event.state === 'FAILED' ? (rank(item.state) < rank('IMPORTING') ? fail(item) : { item, effect: 'same' }) : reach(item, event.state);
  const effects: Effect[] = [];
  if (record.mediaType === 'movie') {
    if (record.downloadId === event.downloadId) effects.push(setMovieItem(record, step(movieItem(record))));
  } else {
    const ofFile = new Map<string, number>();
    for (const file of event.files ?? []) for (const e of file.episodes) ofFile.set(episodeKey(e), file.progress);
    for (const episode of record.episodes.filter((e) => e.downloadId === event.downloadId)) {
      effects.push(setEpisodeItem(episode, step(episode)));
      episode.progress = rank(episode.state) >= rank('DOWNLOADED') ? 1 : (ofFile.get(episodeKey(episode)) ?? event.progress);
    }
  }
  if (before.state !== download.state) effects.push('advanced');
  const percent = `${Math.floor(event.progress * 100)} %`;
  const detail =
    event.state === 'FAILED'
      ? `download failed (${event.clientState})`
      : event.state === 'DOWNLOADED'
        ? 'download complete'
        : `downloading, ${percent} (${event.clientState})`;
  return { effects, detail, quiet: true, forward: event.progress > before.progress };
}

/** The tracker's own finding; raised once, and only on a request that needs nothing else already. */
function applyStuck(record: RequestRecord, event: StuckEvent): Applied {
  if (record.state === event.state && !record.attention) record.attention = { kind: 'stuck', reason: event.reason, since: event.at };
  return { effects: ['same'], detail: event.reason, forward: false };
}

function apply(record: RequestRecord, event: TrackedEvent, options: ReduceOptions): Applied {
  switch (event.kind) {
    case 'requested':
      return { effects: [applyStage(record, 'REQUESTED')], detail: record.requestedBy ? `requested by ${record.requestedBy}` : 'requested' };
    case 'approved':
      return { effects: [applyStage(record, 'APPROVED')], detail: event.auto ? 'approved automatically' : 'approved' };
    case 'declined':
    case 'failed':
      return applyFailure(record, event);
    case 'grabbed':
      return applyGrab(record, event);
    case 'imported':
      return applyImport(record, event, options);
    case 'available':
      return applyAvailable(record, event);
    case 'manual-interaction':
      record.attention = { kind: 'manual-interaction', reason: event.reason, since: event.at };
      return { effects: ['same'], detail: event.reason };
    case 'added':
      return { effects: ['same'], detail: `added to ${event.source === 'radarr' ? 'Radarr' : 'Sonarr'}` };
    case 'deleted': {
      const what = event.what === 'media' ? `deleted from ${event.source === 'radarr' ? 'Radarr' : 'Sonarr'}` : `file deleted: ${event.path ?? ''}`;
      return { effects: ['same'], detail: `${what}${event.reason ? ` (${event.reason})` : ''}` };
    }
    case 'renamed':
      return applyRename(record, event);
    case 'issue':
      return applyIssue(record, event);
    case 'shoko-file':
      return applyShokoFile(record, event, options);
    case 'shoko-movie':
      return { effects: ['same'], detail: "in Shoko's library (TMDB movie added)" };
    case 'download-progress':
      return applyProgress(record, event);
    case 'stuck':
      return applyStuck(record, event);
  }
}

/** Everything but the clock: two records with the same content are the same snapshot. */
function content(record: RequestRecord): string {
  const { updatedAt: _u, stateChangedAt: _s, availableAt: _a, ...rest } = record;
  return JSON.stringify(rest);
}

function cloneRecord(record: RequestRecord): RequestRecord {
  return {
    ...record,
    ids: { ...record.ids },
    requestedSeasons: [...record.requestedSeasons],
    attention: record.attention && { ...record.attention },
    episodes: record.episodes.map((e) => ({ ...e })),
    downloads: record.downloads.map((d) => ({ ...d })),
  };
}

function describe(effects: Effect[], detail: string): string {
  if (effects.some((e) => e === 'advanced' || e === 'restarted')) {
    return effects.includes('restarted') ? `${detail}; restarted with a new download` : detail;
  }
  if (effects.includes('upgrade')) return `upgrade: ${detail}`;
  if (effects.length && effects.every((e) => e === 'late' || e === 'same') && effects.includes('late')) return `late: ${detail}`;
  return detail;
}

export function reduce(current: RequestRecord | null, event: TrackedEvent, options: ReduceOptions): Reduction {
  if (!current && !('media' in event)) throw new Error(`a ${event.kind} event cannot create a request`);
  const record = current ? cloneRecord(current) : createRecord(event as MediaEvent);
  const from = current?.state ?? null;
  // A Shokofin episode item may be a movie's file: its series data says nothing about the movie.
  if ('media' in event && event.media.mediaType === record.mediaType) mergeMedia(record, event.media, event.source);
  const applied = apply(record, event, options);
  record.downloads = deriveDownloads(record);
  record.state = deriveState(record);

  const progressed = from !== null && record.state !== from && (from === 'FAILED' || rank(record.state) > rank(from));
  if (progressed && record.attention && CLEARED_BY_PROGRESS.includes(record.attention.kind) && record.state !== 'FAILED') {
    record.attention = null;
  }
  const stageMoved = record.state !== from || applied.effects.some((e) => e === 'advanced' || e === 'restarted');
  if (applied.forward ?? stageMoved) {
    record.progressAt = event.at;
    if (record.attention?.kind === 'stuck') record.attention = null;
  }
  const changed = current === null || content(current) !== content(record);
  if (changed) record.updatedAt = event.at;
  if (record.state !== from) record.stateChangedAt = event.at;
  if (record.state === 'AVAILABLE' && !record.availableAt) record.availableAt = event.at;
  const attentionRaised = !!record.attention && JSON.stringify(record.attention) !== JSON.stringify(current?.attention ?? null);
  const entry =
    applied.quiet && !stageMoved
      ? null
      : { at: event.at, source: event.source, event: event.kind, state: record.state, detail: describe(applied.effects, applied.detail).slice(0, 2000) };
  return { record, changed, from, attentionRaised, entry };
}
