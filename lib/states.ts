import { z } from 'zod';

/** The stages a request passes through, in order. Rank = index; "only forward" is a rank comparison. */
export const STAGES = ['REQUESTED', 'APPROVED', 'GRABBING', 'DOWNLOADING', 'DOWNLOADED', 'IMPORTING', 'ANIME_MATCHING', 'AVAILABLE'] as const;

export const RequestStateSchema = z.enum([...STAGES, 'FAILED']);
export type RequestState = z.infer<typeof RequestStateSchema>;
export type Stage = (typeof STAGES)[number];

/** Episodes start at GRABBING with their download, or at APPROVED when Sonarr lists them as aired before any grab. */
export const EPISODE_STATES = ['APPROVED', 'GRABBING', 'DOWNLOADING', 'DOWNLOADED', 'IMPORTING', 'ANIME_MATCHING', 'AVAILABLE', 'FAILED'] as const;
export type EpisodeState = (typeof EPISODE_STATES)[number];

export function rank(state: RequestState): number {
  return state === 'FAILED' ? -1 : STAGES.indexOf(state);
}

export function isFinished(state: RequestState): boolean {
  return state === 'AVAILABLE' || state === 'FAILED';
}
