import { isTracked, type MediaEvent } from '../events';
import type { RequestState } from '../states';
import type { StatusStore } from '../store/store';
import { correlate } from './correlate';
import { eventFacts } from './facts';
import type { RequestRecord } from './model';
import { reduce } from './reduce';

/** One event's whole path after normalisation: correlate, deduplicate, reduce, commit. */

export interface TrackOptions {
  createFromArr: boolean;
  availableOnImport: boolean;
}

export type TrackOutcome =
  /** Applied: the request changed (or was created). */
  | 'changed'
  /** Applied but nothing moved (a late or upgrade event, an informational one): it is in the timeline. */
  | 'recorded'
  /** Every fact of the event was already known: nothing written. */
  | 'duplicate'
  | 'unmatched'
  | 'test'
  | 'ignored'
  | 'notice';

export interface TrackResult {
  outcome: TrackOutcome;
  /** The request after the commit (absent when nothing matched). */
  request?: RequestRecord;
  from?: RequestState | null;
  /** Why nothing matched, or why the event is not tracked. */
  reason?: string;
  /** The state changed, or a new attention flag was raised: worth a notification. */
  notify: boolean;
}

export const DEFAULT_TRACK_OPTIONS: TrackOptions = { createFromArr: true, availableOnImport: false };

export async function track(store: StatusStore, event: MediaEvent, options: TrackOptions = DEFAULT_TRACK_OPTIONS): Promise<TrackResult> {
  if (!isTracked(event)) {
    const reason = event.kind === 'test' ? `${event.name} from ${event.source}: nothing stored` : event.kind === 'notice' ? event.message : event.reason;
    return { outcome: event.kind, reason, notify: false };
  }
  return store.write(async (tx) => {
    const found = await correlate(tx, event, options);
    if (found.kind === 'unmatched') return { outcome: 'unmatched', reason: found.reason, notify: false };
    const facts = eventFacts(event);
    if (found.kind === 'create') {
      const result = reduce(null, event, options);
      const request = await tx.create(result.record, result.entry, facts);
      return { outcome: 'changed', request, from: null, notify: true };
    }
    const [current, fresh] = await Promise.all([tx.load(found.requestId), tx.newFacts(found.requestId, facts)]);
    if (!current) throw new Error(`request ${found.requestId} vanished during correlation`);
    if (!fresh.length) return { outcome: 'duplicate', request: current, from: current.state, notify: false };
    const result = reduce(current, event, options);
    const request = await tx.update(current, result.record, result.entry, fresh);
    return {
      outcome: result.changed ? 'changed' : 'recorded',
      request,
      from: result.from,
      notify: result.from !== request.state || result.attentionRaised,
    };
  });
}
