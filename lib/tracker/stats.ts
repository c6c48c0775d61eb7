import type { MediaType } from '../events';
import type { StatsRow } from '../store/reader';

/** The status page's numbers panel, from the requests' own timestamps. */

export interface Duration {
  count: number;
  medianMs: number;
  p90Ms: number;
}

export interface Stats {
  requestsThisWeek: number;
  needAttention: number;
  toAvailable: Record<MediaType, Duration | null>;
  /** How far off past ETAs were: the median of their errors (null before any request they were given for finished). */
  etaError: { count: number; medianMs: number } | null;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

function durations(rows: StatsRow[]): Duration | null {
  const ms = rows
    .filter((r) => r.availableAt)
    .map((r) => Date.parse(r.availableAt!) - Date.parse(r.createdAt))
    .filter((d) => d >= 0)
    .sort((a, b) => a - b);
  return ms.length ? { count: ms.length, medianMs: percentile(ms, 0.5), p90Ms: percentile(ms, 0.9) } : null;
}

export function computeStats(rows: StatsRow[], now: Date, etaErrors: number[] = []): Stats {
  const errors = [...etaErrors].sort((a, b) => a - b);
  const weekAgo = now.getTime() - 7 * 24 * 3600 * 1000;
  return {
    requestsThisWeek: rows.filter((r) => Date.parse(r.createdAt) >= weekAgo).length,
    needAttention: rows.filter((r) => r.attention && !r.finished).length,
    toAvailable: {
      movie: durations(rows.filter((r) => r.mediaType === 'movie')),
      tv: durations(rows.filter((r) => r.mediaType === 'tv')),
    },
    etaError: errors.length ? { count: errors.length, medianMs: percentile(errors, 0.5) } : null,
  };
}
