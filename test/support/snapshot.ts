import type { RequestRecord, RequestSnapshot } from '../../lib/model';
import type { OutlookView } from '../../lib/tracker/outlook';
import { toSnapshot } from '../../lib/tracker/snapshot';

/** A fixed moment without measured history: snapshots that do not depend on when a test runs. */
export const FIXED_VIEW: OutlookView = { now: new Date('2026-06-01T12:00:00Z'), stages: {}, timeZone: 'UTC' };

export const snapshotOf = (record: RequestRecord, view: OutlookView = FIXED_VIEW): RequestSnapshot => toSnapshot(record, view);
