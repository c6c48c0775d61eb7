import { z } from 'zod';
import { EpisodeKeySchema, type MediaEvent } from '../events';
import { RequestStateSchema, type RequestState } from '../states';
import { ServiceHealthSchema, type RequestRecord } from '../model';
import { RequestSnapshotSchema, type RequestSnapshot } from '../snapshot-schema';
import type { Outlook, OutlookView } from './outlook';
import { toSnapshot, toSnapshotInTurns } from './snapshot';
import { BIG_EVENT, nextTurn } from '../big-events';
import { summarise, summariseEpisodes } from './summary';
import type { TrackOutcome, TrackResult } from './track';

/** The messages episode-state sends, built from a committed result. */

export interface Reply {
  ok: true;
  outcome: TrackOutcome;
  requestId?: number;
  state?: RequestState;
  reason?: string;
}

/** An episode named by a state change. */
export const EpisodeNewsSchema = EpisodeKeySchema.extend({
  title: z.string().max(4096).nullable(),
});
export type EpisodeNews = z.infer<typeof EpisodeNewsSchema>;

/**
 * A state change as episode-state, media-sync and media-action send it; media-notify and media-ha take
 * it from a flow, which may hand over anything: they check all of it with this schema.
 */
export const StateChangeSchema = z.object({
  request: RequestSnapshotSchema,
  from: RequestStateSchema.nullable(),
  to: RequestStateSchema,
  summary: z.string().max(10_000),
  /** The episodes that became AVAILABLE with this change (empty when none). */
  episodes: z.array(EpisodeNewsSchema).max(100_000),
});
export type StateChange = z.infer<typeof StateChangeSchema>;

/**
 * A service's health notice (an arr's On Health Issue, or Health Restored), sent beside the state
 * changes (topic `media-status/service/<instance>`): it is about no request.
 */
export const ServiceNoticeSchema = ServiceHealthSchema.extend({ kind: z.literal('health'), restored: z.boolean() });
export type ServiceNotice = z.infer<typeof ServiceNoticeSchema>;

/** The health notice an event carries, when it is one. */
export function serviceNoticeOf(event: MediaEvent): { topic: string; payload: ServiceNotice } | undefined {
  if (event.kind !== 'notice' || (event.name !== 'Health' && event.name !== 'HealthRestored')) return undefined;
  const instance = event.instance ?? event.source;
  return {
    topic: `media-status/service/${instance}`,
    payload: {
      kind: 'health',
      instance,
      source: event.source,
      level: event.level ?? null,
      message: event.message,
      check: event.check ?? null,
      at: event.at,
      restored: event.name === 'HealthRestored',
    },
  };
}

export interface Untracked {
  outcome: TrackOutcome;
  reason: string;
  event: MediaEvent;
}

/** The small JSON the webhook sender gets back. */
export function replyOf(result: TrackResult): Reply {
  return { ok: true, outcome: result.outcome, requestId: result.request?.id, state: result.request?.state, reason: result.reason };
}

export function stateChangeOf(result: TrackResult, view: OutlookView): { topic: string; payload: StateChange } | undefined {
  if (!result.notify || !result.request) return undefined;
  return stateChangeWith(result, result.request, () => toSnapshot(result.request!, view));
}

/**
 * `snapshot`: the request's snapshot, or how to make it when the payload's `request` is first read. Most
 * flows read the summary only; a committed record is never changed (reduce works on a copy), so a
 * snapshot made later is the one made now.
 */
function stateChangeWith(
  result: TrackResult,
  record: RequestRecord,
  snapshot: RequestSnapshot | (() => RequestSnapshot),
): { topic: string; payload: StateChange } {
  const episodes = (result.episodes ?? []).map(({ season, episode, title }) => ({ season, episode, title }));
  const from = result.from ?? null;
  // "S01E05 is available (5/13)", unless the request just became available for the first time (its own summary says so).
  const firstTime = record.state === 'AVAILABLE' && from !== 'AVAILABLE' && record.availableAt === record.stateChangedAt;
  const summary = episodes.length && !firstTime ? summariseEpisodes(record, episodes) : summarise(record);
  const topic = `media-status/${record.id}`;
  if (typeof snapshot !== 'function') return { topic, payload: { request: snapshot, from, to: record.state, summary, episodes } };
  let request: RequestSnapshot | undefined;
  const payload: StateChange = {
    get request() {
      return (request ??= snapshot());
    },
    set request(value) {
      request = value;
    },
    from,
    to: record.state,
    summary,
    episodes,
  };
  return { topic, payload };
}

/**
 * The state changes among results, seen from the store's outlook now. A long show's snapshot takes
 * tens of milliseconds: it waits for the webhook's answer to go, and is made over several turns.
 */
export async function stateChangesOf(results: TrackResult[], outlook: Outlook): Promise<{ topic: string; payload: StateChange }[]> {
  if (!results.some((r) => r.notify && r.request)) return [];
  const view = await outlook.view();
  const changes: { topic: string; payload: StateChange }[] = [];
  for (const result of results) {
    const record = result.request;
    if (!result.notify || !record) continue;
    if (record.episodes.length <= BIG_EVENT) {
      changes.push(stateChangeWith(result, record, () => toSnapshot(record, view)));
      continue;
    }
    await nextTurn();
    changes.push(stateChangeWith(result, record, await toSnapshotInTurns(record, view)));
  }
  return changes;
}

/** Events that touched no request: unmatched, ignored, service notices and tests (which prove the wiring). */
export function untrackedOf(result: TrackResult, event: MediaEvent): { topic: string; payload: Untracked } | undefined {
  if (result.request || result.outcome === 'duplicate') return undefined;
  return { topic: `media-status/${result.outcome}`, payload: { outcome: result.outcome, reason: result.reason ?? '', event } };
}
