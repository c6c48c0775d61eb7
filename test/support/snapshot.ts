import type { DownloadRecord, RequestRecord } from '../../lib/model';
import type { RequestSnapshot } from '../../lib/snapshot-schema';
import type { OutlookView } from '../../lib/tracker/outlook';
import { toSnapshot } from '../../lib/tracker/snapshot';

/** A fixed moment without measured history: snapshots that do not depend on when a test runs. */
export const FIXED_VIEW: OutlookView = { now: new Date('2026-06-01T12:00:00Z'), stages: {}, timeZone: 'UTC' };

export const snapshotOf = (record: RequestRecord, view: OutlookView = FIXED_VIEW): RequestSnapshot => toSnapshot(record, view);

/** A download as the tracker holds it: the fields a test names, over those of one just grabbed. */
export const downloadRecord = (fields: Pick<DownloadRecord, 'id'> & Partial<DownloadRecord>): DownloadRecord => ({
  progress: 0,
  state: 'GRABBING',
  speed: null,
  etaSeconds: null,
  instance: null,
  strikes: 0,
  clientState: null,
  seeds: null,
  activeAt: null,
  ...fields,
});
