import type { ActionEvent } from '../events';
import type { StatusStore } from '../store/store';
import { actionFactPrefix, parseActionFact, type ActionFact } from '../tracker/facts';

/**
 * What makes a recorded action one action (ActionEvent.key, kept as the action's fact): made and read
 * here only, so the actions ask typed questions ("how many automatic retries of this download?")
 * instead of matching strings.
 */

/** Everything done about one removal of the media (planned, kept, cancelled, done) is keyed by the removal. */
export const removalKey = (removedAt: string): string => `removed-${removedAt}`;

/** The automatic retry's `count`th retry of a download. */
export const autoRetryKey = (downloadId: string, count: number): string => `auto:${downloadId}:${count}`;

/** The download an automatic retry was of (undefined: a person's retry). */
export function autoRetriedDownload(key: string): string | undefined {
  const match = /^auto:(.+):\d+$/.exec(key);
  return match?.[1];
}

/** The dry run's one line per download it would retry. */
export const dryRunKey = (downloadId: string): string => `dry-run:${downloadId}`;

/** The actions recorded on a request, as typed facts. */
export async function recordedActions(store: StatusStore, requestId: number, action?: ActionEvent['action']): Promise<ActionFact[]> {
  const facts = await store.read.factsLike(requestId, actionFactPrefix(action));
  return facts.map(parseActionFact).filter((fact): fact is ActionFact => fact !== undefined);
}
