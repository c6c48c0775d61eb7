import { RequestStateSchema, type RequestState } from '../states';
import type { RequestWriter } from '../store/lookup';
import type { StoreReader } from '../store/reader';
import { DEFAULT_TRACK_OPTIONS, track, type TrackOptions, type TrackResult } from './track';

/**
 * Nothing sits silently in a stage: a request that made no progress (a stage, or a download's
 * percentage) for longer than its stage allows gets the attention "stuck in <STATE> for <duration>",
 * once; progress clears it. Counted from the last progress, not from entering the stage, so a slow
 * download that keeps moving is not stuck.
 */

export type StuckThresholds = Partial<Record<RequestState, number>>;

/** Minutes without progress, per stage. */
export const DEFAULT_STUCK_MINUTES: StuckThresholds = {
  REQUESTED: 24 * 60,
  APPROVED: 2 * 60,
  GRABBING: 60,
  DOWNLOADING: 6 * 60,
  DOWNLOADED: 60,
  IMPORTING: 60,
  ANIME_MATCHING: 60,
};

/** "APPROVED=120, DOWNLOADING=600" over the defaults; 0 turns a stage off. */
export function parseStuckMinutes(text: string | undefined): { ok: true; thresholds: StuckThresholds } | { ok: false; error: string } {
  const thresholds: StuckThresholds = { ...DEFAULT_STUCK_MINUTES };
  for (const part of (text ?? '')
    .split(/[,;\n]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([A-Z_]+)\s*=\s*(\d+)$/i.exec(part);
    const state = RequestStateSchema.safeParse(match?.[1]?.toUpperCase());
    if (!match || !state.success || state.data === 'AVAILABLE' || state.data === 'FAILED') {
      return { ok: false, error: `stuck thresholds: expected STATE=minutes (a stage before AVAILABLE), got "${part.slice(0, 40)}"` };
    }
    thresholds[state.data] = Number(match[2]);
  }
  return { ok: true, thresholds };
}

export function humanDuration(ms: number): string {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** Flag every request past its stage's threshold at `now`; returns what changed (for notifications). */
export async function checkStuck(
  store: RequestWriter & { read: Pick<StoreReader, 'stuckCandidates'> },
  now: Date,
  thresholds: StuckThresholds,
  options: TrackOptions = DEFAULT_TRACK_OPTIONS,
): Promise<TrackResult[]> {
  const cutoffs = (Object.entries(thresholds) as [RequestState, number][])
    .filter(([, minutes]) => minutes > 0)
    .map(([state, minutes]): [RequestState, string] => [state, new Date(now.getTime() - minutes * 60000).toISOString()]);
  const results: TrackResult[] = [];
  for (const candidate of await store.read.stuckCandidates(cutoffs)) {
    const since = candidate.progressAt;
    const reason = `stuck in ${candidate.state} for ${humanDuration(now.getTime() - Date.parse(since))}`;
    results.push(
      await track(store, { source: 'tracker', at: now.toISOString(), kind: 'stuck', requestId: candidate.id, state: candidate.state, since, reason }, options),
    );
  }
  return results;
}
