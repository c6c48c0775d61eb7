import type { ActionEvent, EpisodeKey, MediaEventOf, ProgressEvent, ShokoFileEvent, Source, TrackedEvent } from '../events';
import type { RequestRecord } from '../model';
import { fail, type Effect } from './items';
import type { Targets } from './targets';
import { grabbed, imported, renamed, progress, downloadProblem } from './download-rules';
import { available, shokoFile, deleted, added } from './presence-rules';
import { listed, action, arrStatus, stuck } from './request-rules';

/**
 * What each event does to the items it touches (see targets.ts), written once for movies and shows.
 * A rule changes the record and says what happened as data (`What`); timeline-text.ts words it and
 * attention.ts decides what needs a human. The rules themselves are in download-rules.ts,
 * presence-rules.ts and request-rules.ts; applyEvent picks the one for an event.
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
