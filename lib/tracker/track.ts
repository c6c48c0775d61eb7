import { isTracked, MediaEventSchema, type MediaEvent, type TrackedEvent } from '../events';
import type { RequestState } from '../states';
import type { RequestTx, RequestWriter } from '../store/lookup';
import { correlate, type CorrelateOptions } from './correlate';
import { eventFacts } from './facts';
import type { EpisodeRecord, RequestRecord } from '../model';
import { fileNameOf } from '../file-path';
import { reduce, type ReduceOptions } from './reduce';
import { serviceNoticeOf } from './messages';
import { BIG_EVENT, nextTurn } from '../big-events';

/** One event's whole path after normalisation: correlate, deduplicate, reduce, commit. */

export type TrackOptions = CorrelateOptions & ReduceOptions;

export type TrackOutcome =
  /** Applied: the request changed (or was created). */
  | 'changed'
  /** Applied but nothing moved (a late or upgrade event, an informational one): it is in the timeline. */
  | 'recorded'
  /** Every fact of the event was already known: nothing written. */
  | 'duplicate'
  /** About a file not imported yet (Shoko is often faster than the import webhook): kept, applied with the import. */
  | 'pending'
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
  /** The state changed, a new attention flag was raised or episodes became AVAILABLE: worth a notification. */
  notify: boolean;
  /** Episodes this event made AVAILABLE. */
  episodes?: EpisodeRecord[];
}

/** Between the steps of a big event (a 10,000-episode season pack) let Node-RED serve the rest. */
async function breathe(event: TrackedEvent): Promise<void> {
  if ('episodes' in event && event.episodes.length > BIG_EVENT) await nextTurn();
}

export const DEFAULT_TRACK_OPTIONS: TrackOptions = { createFromArr: true, availableOnImport: false, availableOnShokoMatch: false };

async function trackIn(tx: RequestTx, event: TrackedEvent, options: TrackOptions): Promise<TrackResult & { attentionRaised?: boolean }> {
  const found = await correlate(tx, event, options);
  if (found.kind === 'unmatched') return { outcome: 'unmatched', reason: found.reason, notify: false };
  if (found.kind === 'pending') {
    await tx.keepPending(found.fileName, event, event.at);
    return { outcome: 'pending', reason: found.reason, notify: false };
  }
  const facts = eventFacts(event);
  await breathe(event);
  if (found.kind === 'create') {
    const result = reduce(null, event, options);
    await breathe(event);
    if (!result.entry) throw new Error('a new request needs a timeline entry');
    const request = await tx.create(result.record, result.entry, facts);
    await breathe(event);
    return { outcome: 'changed', request, from: null, notify: true, episodes: result.becameAvailable };
  }
  const current = await tx.load(found.requestId);
  if (!current) throw new Error(`request ${found.requestId} vanished during correlation`);
  const fresh = await tx.newFacts(found.requestId, facts);
  // No new fact: a duplicate. Events without facts (download progress) are judged by what they change.
  if (facts.length && !fresh.length && !repeatMatters(current, event)) return { outcome: 'duplicate', request: current, from: current.state, notify: false };
  const result = reduce(current, event, options);
  if (!result.changed && !result.entry) return { outcome: 'duplicate', request: current, from: current.state, notify: false };
  await breathe(event);
  const request = await tx.update(current, result.record, result.entry, fresh);
  // And before the commit sends what the update wrote.
  await breathe(event);
  return {
    outcome: result.changed ? 'changed' : 'recorded',
    request,
    from: result.from,
    notify: result.from !== request.state || result.attentionRaised || result.becameAvailable.length > 0 || result.removed,
    attentionRaised: result.attentionRaised,
    episodes: result.becameAvailable,
  };
}

/**
 * A known fact may be news again when it flips a removal: the media there again after it was deleted
 * (Jellyfin's ItemDeleted, then ItemAdded for the same item on a rescan), or deleted again after it
 * came back. The rules decide what it changes; a plain repeat changes nothing.
 */
function repeatMatters(current: RequestRecord, event: TrackedEvent): boolean {
  const removed = current.removedAt !== null || current.episodes.some((e) => e.removedAt !== null);
  if (event.kind === 'deleted') return current.removedAt === null;
  return removed && (event.kind === 'available' || event.kind === 'added' || event.kind === 'imported');
}

/**
 * After an import, the Shoko events that arrived before it (kept under their file names) are applied
 * in the same transaction, so no order of arrival leaves a request behind. The result describes the
 * request from before the import to after the last of them.
 */
async function applyKept(
  tx: RequestTx,
  imported: Extract<TrackedEvent, { kind: 'imported' }>,
  first: TrackResult,
  options: TrackOptions,
): Promise<TrackResult> {
  if (!first.request) return first;
  const kept = await tx.takePending(imported.files.map((f) => fileNameOf(f.path)));
  let result = first;
  for (const raw of kept) {
    const parsed = MediaEventSchema.safeParse(raw);
    if (!parsed.success || !isTracked(parsed.data)) continue;
    // It acts on the request when its import arrives, so it takes its place in the timeline there.
    const late = Date.parse(parsed.data.at) < Date.parse(imported.at) ? { ...parsed.data, at: imported.at } : parsed.data;
    const applied = await trackIn(tx, late, options);
    if (applied.request?.id !== first.request.id) continue;
    const episodes = [...(result.episodes ?? []), ...(applied.episodes ?? [])];
    result = {
      outcome: applied.outcome === 'changed' ? 'changed' : result.outcome,
      request: applied.request,
      from: first.from,
      notify: result.notify || !!applied.attentionRaised || applied.request.state !== first.from || episodes.length > 0,
      episodes,
    };
  }
  return result;
}

export async function track(store: RequestWriter, event: MediaEvent, options: TrackOptions = DEFAULT_TRACK_OPTIONS): Promise<TrackResult> {
  const health = serviceNoticeOf(event)?.payload;
  if (health) {
    const { kind: _, restored, ...notice } = health;
    await store.write((tx) => tx.noteHealth(restored ? { instance: notice.instance, cleared: true } : notice));
  }
  if (!isTracked(event)) {
    const reason = event.kind === 'test' ? `${event.name} from ${event.source}: nothing stored` : event.kind === 'notice' ? event.message : event.reason;
    return { outcome: event.kind, reason, notify: false };
  }
  return store.write(async (tx) => {
    const { attentionRaised: _, ...result } = await trackIn(tx, event, options);
    return event.kind === 'imported' ? applyKept(tx, event, result, options) : result;
  });
}
