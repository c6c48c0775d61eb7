import type { TrackedEvent } from '../events';
import type { EpisodeRecord, RequestRecord, TimelineEntry } from '../model';
import type { RequestState } from '../states';
import { deriveDownloads, deriveState } from './aggregate';
import { nextAttention } from './attention';
import { cloneRecord, createRecord, mergeMedia, ownFieldsChanged } from './record';
import { applyEvent, type ReduceOptions } from './rules';
import { Targets } from './targets';
import { timelineDetail } from './timeline-text';

export type { ReduceOptions } from './rules';

/**
 * The state machine: a pure function of (current record, event). Nothing is refused and nothing is
 * half-applied: an event that implies a later stage jumps there, an earlier-stage event is recorded
 * without moving anything back. Duplicates never reach this function (see facts.ts).
 */

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
  /** Episodes this event made AVAILABLE (news even when the request's state stays). */
  becameAvailable: EpisodeRecord[];
  /** The request was removed by this event (everything it holds deleted): news too. */
  removed: boolean;
}

export function reduce(current: RequestRecord | null, event: TrackedEvent, options: ReduceOptions): Reduction {
  if (!current && !('media' in event)) throw new Error(`a ${event.kind} event cannot create a request`);
  const record = current ? cloneRecord(current) : createRecord(event as Extract<TrackedEvent, { media: unknown }>);
  const from = current?.state ?? null;
  // A Shokofin episode item may be a movie's file: its series data says nothing about the movie.
  if ('media' in event && event.media.mediaType === record.mediaType) mergeMedia(record, event.media, event.source);
  const targets = new Targets(record, event.at);
  const applied = applyEvent(record, targets, event, options);
  const episodesChanged = targets.finish();
  record.downloads = deriveDownloads(record, 'media' in event ? event.media.instance : undefined);
  record.state = deriveState(record);
  // A show is removed when every episode it tracks is (a new grab brings it back): only episodes change that.
  if (episodesChanged && record.episodes.length) record.removedAt = record.episodes.every((e) => e.removedAt) ? (record.removedAt ?? event.at) : null;
  // A deletion waits only while its removal stands: a new grab, an import or the media back cancel it.
  if (record.deletion && record.removedAt !== record.deletion.removedAt) record.deletion = null;

  const stageMoved = record.state !== from || applied.effects.some((e) => e === 'advanced' || e === 'restarted');
  const forward = applied.forward ?? stageMoved;
  record.attention = nextAttention(record.attention, from, record.state, forward, event, applied);
  if (forward) record.progressAt = event.at;
  const changed = current === null || episodesChanged || ownFieldsChanged(current, record);
  if (changed) record.updatedAt = event.at;
  if (record.state !== from) record.stateChangedAt = event.at;
  if (record.state === 'AVAILABLE' && !record.availableAt) record.availableAt = event.at;
  const attentionRaised = !!record.attention && JSON.stringify(record.attention) !== JSON.stringify(current?.attention ?? null);
  const entry =
    applied.quiet && !stageMoved
      ? null
      : { at: event.at, source: event.source, event: event.kind, state: record.state, detail: timelineDetail(applied.what, applied.effects) };
  const removed = record.removedAt !== null && !current?.removedAt;
  return { record, changed, from, attentionRaised, entry, becameAvailable: targets.becameAvailable(), removed };
}
