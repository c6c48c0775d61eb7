import type { MediaEvent } from '../events';
import type { RequestState } from '../states';
import type { RequestSnapshot } from '../model';
import { toSnapshot } from './snapshot';
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
export interface EpisodeNews {
  season: number;
  episode: number;
  title: string | null;
}

export interface StateChange {
  request: RequestSnapshot;
  from: RequestState | null;
  to: RequestState;
  summary: string;
  /** The episodes that became AVAILABLE with this change (empty when none). */
  episodes: EpisodeNews[];
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

export function stateChangeOf(result: TrackResult): { topic: string; payload: StateChange } | undefined {
  if (!result.notify || !result.request) return undefined;
  const request = toSnapshot(result.request);
  const episodes = (result.episodes ?? []).map(({ season, episode, title }) => ({ season, episode, title }));
  const from = result.from ?? null;
  // "S01E05 is available (5/13)", unless the request just became available for the first time (its own summary says so).
  const firstTime = request.state === 'AVAILABLE' && from !== 'AVAILABLE' && request.availableAt === request.stateChangedAt;
  const summary = episodes.length && !firstTime ? summariseEpisodes(result.request, episodes) : summarise(result.request);
  return { topic: `media-status/${request.id}`, payload: { request, from, to: request.state, summary, episodes } };
}

/** Events that touched no request: unmatched, ignored, service notices and tests (which prove the wiring). */
export function untrackedOf(result: TrackResult, event: MediaEvent): { topic: string; payload: Untracked } | undefined {
  if (result.request || result.outcome === 'duplicate') return undefined;
  return { topic: `media-status/${result.outcome}`, payload: { outcome: result.outcome, reason: result.reason ?? '', event } };
}
