import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseWebhook, type WebhookSource } from '../../lib/services/webhooks';
import { StatusStore } from '../../lib/store/store';
import { DEFAULT_TRACK_OPTIONS, track, type TrackOptions, type TrackResult } from '../../lib/tracker/track';
import type { Body } from './fixtures';
import { tempDir } from './tmp';

/** Group commit and write-behind change only speed: the store's and the tracker's tests run both ways. */
export interface StoreMode {
  name: string;
  writeBehind: boolean;
}
export const STORE_MODES: StoreMode[] = [
  { name: 'batched, write-behind', writeBehind: true },
  { name: 'one transaction per job, every write at once', writeBehind: false },
];

let opened = 0;

/** Defines `suite` once per store mode, each inside its own describe; `open` gives a fresh store file in that mode. */
export function forEachStoreMode(suite: (open: () => Promise<StatusStore>, mode: StoreMode) => void): void {
  const dir = tempDir('mst-store-');
  for (const mode of STORE_MODES) {
    describe(`store: ${mode.name}`, () => suite(() => StatusStore.open(join(dir, `s${++opened}.db`), { writeBehind: mode.writeBehind }), mode));
  }
}

/** A webhook body through the parser and the tracker, as the example flow sends it; `at` is when it arrives (default: now). */
export async function hook(
  store: StatusStore,
  source: WebhookSource,
  body: Body,
  options: TrackOptions = DEFAULT_TRACK_OPTIONS,
  at: Date = new Date(),
): Promise<TrackResult> {
  const parsed = parseWebhook(body, source, at);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return track(store, parsed.event, options);
}

/** Counts the store's write jobs (each one a transaction) from now on. */
export function countWrites(store: StatusStore): { readonly count: number } {
  const counter = { count: 0 };
  const write = store.write.bind(store);
  store.write = ((...args: Parameters<typeof write>) => {
    counter.count++;
    return write(...args);
  }) as typeof store.write;
  return counter;
}

/** Webhook bodies through `hook`, one after the other; the last one's result. */
export async function hooks(store: StatusStore, list: readonly (readonly [WebhookSource, Body])[], options?: TrackOptions): Promise<TrackResult | undefined> {
  let last: TrackResult | undefined;
  for (const [source, body] of list) last = await hook(store, source, body, options);
  return last;
}
