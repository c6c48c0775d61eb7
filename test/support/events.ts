import assert from 'node:assert/strict';
import type { TrackedEvent } from '../../lib/events';
import { isTracked } from '../../lib/events';
import { parseWebhook, type WebhookSource } from '../../lib/services/webhooks';
import type { RequestRecord } from '../../lib/model';
import { reduce, type ReduceOptions } from '../../lib/tracker/reduce';
import type { Body } from './fixtures';

let clock = Date.parse('2026-01-22T04:00:00.000Z');

/** A normalised event from a webhook body, each one a second after the last. */
export function event(source: WebhookSource, body: Body): TrackedEvent {
  clock += 1000;
  const result = parseWebhook(body, source, new Date(clock));
  if (!result.ok) assert.fail(`fixture rejected: ${result.error}`);
  if (!isTracked(result.event)) assert.fail(`not a tracked event: ${result.event.kind}`);
  return result.event;
}

/** Apply events in order with the pure reducer, as the store would (without its duplicate check). */
export function run(events: TrackedEvent[], options: ReduceOptions = { availableOnImport: false, availableOnShokoMatch: false }): RequestRecord {
  let record: RequestRecord | null = null;
  for (const e of events) record = reduce(record, e, options).record;
  assert.ok(record);
  return record;
}

/** Everything but the clock, for comparing outcomes of different orders. */
export function content(record: {
  updatedAt: string;
  stateChangedAt: string;
  availableAt: string | null;
  createdAt: string;
  progressAt: string;
  id?: number;
  episodes: { availableAt: string | null }[];
}) {
  const { updatedAt: _u, stateChangedAt: _s, availableAt, createdAt: _c, progressAt: _p, id: _id, episodes, ...rest } = record;
  return { ...rest, available: availableAt !== null, episodes: episodes.map(({ availableAt: at, ...e }) => ({ ...e, available: at !== null })) };
}
