import type { Clock } from '../clock';
import type { RequestRecord } from '../model';
import type { RequestSnapshot } from '../snapshot-schema';
import type { StoreReader } from '../store/reader';
import type { StatusStore } from '../store/store';
import { measureStages, type EtaContext, type StageTimes } from './eta';
import { toSnapshot } from './snapshot';
import type { WaitingContext } from './waiting';

/** What a snapshot's waiting reasons and ETAs are computed with: the time, and the household's stage times. */
export type OutlookView = WaitingContext & EtaContext;

/** Stage times are measured again after this long (they move slowly: a few requests a day finish). */
const REMEASURE_MS = 10 * 60_000;

/**
 * The store's view ahead: the stage times measured from its finished requests, kept for ten minutes,
 * with the clock's time. One per store (see the status-store node); every snapshot is built with it.
 */
export class Outlook {
  private measured: { at: number; stages: Promise<StageTimes> } | undefined;

  constructor(
    private readonly reader: Pick<StoreReader, 'stageRows'>,
    private readonly clock: Clock,
    private readonly timeZone?: string,
  ) {}

  async view(): Promise<OutlookView> {
    const now = this.clock.now();
    if (!this.measured || now - this.measured.at >= REMEASURE_MS) {
      const stages = this.reader.stageRows().then(measureStages);
      this.measured = { at: now, stages };
      // A failed reading is tried again next time, not kept.
      stages.catch(() => (this.measured = undefined));
    }
    return { now: new Date(now), stages: await this.measured.stages, timeZone: this.timeZone };
  }

  async snapshot(record: RequestRecord): Promise<RequestSnapshot> {
    return toSnapshot(record, await this.view());
  }

  async snapshots(records: RequestRecord[]): Promise<RequestSnapshot[]> {
    const view = await this.view();
    return records.map((r) => toSnapshot(r, view));
  }
}

/**
 * Give every unfinished request an ETA once per state it reaches (kept with the time it was given) and
 * settle those that became available: what the status page's "ETAs were off by" is measured from.
 */
export async function recordPredictions(store: Pick<StatusStore, 'read' | 'outlook' | 'predict'>): Promise<number> {
  const records = await store.read.unpredicted();
  const view = await store.outlook.view();
  const made = view.now.toISOString();
  await store.predict(records.map((r) => [r.id, made, r.state, toSnapshot(r, view).eta?.at ?? null]));
  return records.length;
}
