/** Events naming more episodes than this (and requests holding more) take tens of milliseconds a step. */
export const BIG_EVENT = 1000;

/** Let Node-RED serve the rest (other requests, answers) before the next step of something big. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `work` on a thousand items (BIG_EVENT) at a time, each thousand in a turn of the event loop of its own; the results in order. */
export async function inTurns<T, R>(items: T[], work: (slice: T[]) => R[]): Promise<R[]> {
  if (items.length <= BIG_EVENT) return work(items);
  const results: R[] = [];
  for (let from = 0; from < items.length; from += BIG_EVENT) {
    if (from) await nextTurn();
    results.push(...work(items.slice(from, from + BIG_EVENT)));
  }
  return results;
}
