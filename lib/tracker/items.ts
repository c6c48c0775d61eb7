import { rank, type RequestState } from '../states';

/**
 * The rules for one trackable thing: a movie, or one episode. Pure functions of the item and what
 * happened; each says what it did so the request can describe the event.
 */
export interface Item {
  state: RequestState;
  downloadId: string | null;
  finalPath: string | null;
}

/** advanced: moved on; restarted: new download before import; upgrade: new release after import; late: earlier stage, kept; same: nothing new. */
export type Effect = 'advanced' | 'restarted' | 'upgrade' | 'late' | 'same';
export type Step = { item: Item; effect: Effect };

const IMPORTED = rank('IMPORTING');

function differs(a: string | null, b: string | null | undefined): boolean {
  return !!a && !!b && a !== b;
}

export function grab(item: Item, downloadId: string | undefined): Step {
  const id = downloadId ?? null;
  if (item.state === 'FAILED') return { item: { ...item, state: 'GRABBING', downloadId: id ?? item.downloadId }, effect: 'advanced' };
  if (rank(item.state) >= IMPORTED) {
    // After the import a grab with another download is an upgrade; with the same one it is a late webhook.
    if (differs(item.downloadId, id)) return { item, effect: 'upgrade' };
    return { item: { ...item, downloadId: item.downloadId ?? id }, effect: 'late' };
  }
  if (differs(item.downloadId, id)) return { item: { ...item, state: 'GRABBING', downloadId: id }, effect: 'restarted' };
  if (rank(item.state) < rank('GRABBING')) return { item: { ...item, state: 'GRABBING', downloadId: id ?? item.downloadId }, effect: 'advanced' };
  const filled = { ...item, downloadId: item.downloadId ?? id };
  return { item: filled, effect: item.state === 'GRABBING' ? 'same' : 'late' };
}

/** An import: the file is in the library (`target` is IMPORTING, or AVAILABLE for users without Jellyfin). */
export function importFile(item: Item, target: RequestState, path: string | undefined, downloadId: string | undefined): Step {
  const finalPath = path ?? item.finalPath;
  if (item.state === 'AVAILABLE') {
    if (differs(item.finalPath, path)) return { item: { ...item, finalPath }, effect: 'upgrade' };
    return { item: { ...item, finalPath }, effect: item.finalPath ? 'same' : 'late' };
  }
  if (item.state === 'FAILED' || rank(item.state) < rank(target)) {
    return { item: { state: target, finalPath, downloadId: downloadId ?? item.downloadId }, effect: 'advanced' };
  }
  if (differs(item.finalPath, path)) return { item: { ...item, finalPath }, effect: 'upgrade' };
  return { item: { ...item, finalPath, downloadId: item.downloadId ?? downloadId ?? null }, effect: rank(item.state) > rank(target) ? 'late' : 'same' };
}

/** Move to `target` if that is forward (or a recovery from FAILED); a later item stays where it is. */
export function reach(item: Item, target: RequestState): Step {
  if (item.state === 'FAILED' || rank(item.state) < rank(target)) return { item: { ...item, state: target }, effect: 'advanced' };
  return { item, effect: item.state === target ? 'same' : 'late' };
}

export function makeAvailable(item: Item): Step {
  return reach(item, 'AVAILABLE');
}

/** Failure never undoes AVAILABLE: the file plays. */
export function fail(item: Item): Step {
  if (item.state === 'AVAILABLE') return { item, effect: 'late' };
  if (item.state === 'FAILED') return { item, effect: 'same' };
  return { item: { ...item, state: 'FAILED' }, effect: 'advanced' };
}

/** Request-level stages from Jellyseerr (REQUESTED, APPROVED): only forward; FAILED recovers. */
export function raise(state: RequestState, target: RequestState): { state: RequestState; effect: Effect } {
  if (state === 'FAILED' || rank(state) < rank(target)) return { state: target, effect: 'advanced' };
  return { state, effect: state === target ? 'same' : 'late' };
}
