import type { RequestRecord } from '../model';
import { fromLoaded, LOAD, type LoadedRow } from './load';
import type { Connection } from './sqlite';

/** Home Assistant's counters: in progress, downloading, needing attention, available in the last week. */
export type HaCounts = { inProgress: number; downloading: number; attention: number; availableWeek: number };

/** The queries behind Home Assistant's entities (see lib/ha), on the reader's connection. */
export class HaReads {
  constructor(private readonly db: Connection) {}

  /** What Home Assistant shows (see lib/ha): requests in progress, and those available since `availableSince`, none removed; of `ids` only when given. */
  async requests(availableSince: string, ids?: number[]): Promise<RequestRecord[]> {
    const only = ids ? `AND r.id IN (SELECT value FROM json_each(?))` : '';
    const rows = await this.db.allOnce<LoadedRow>(
      `${LOAD} WHERE r.removed_at IS NULL AND (r.state NOT IN ('AVAILABLE', 'FAILED') OR (r.state = 'AVAILABLE' AND r.available_at >= ?)) ${only} ORDER BY r.id`,
      ids ? [availableSince, JSON.stringify(ids)] : [availableSince],
    );
    return rows.map(fromLoaded);
  }

  /** Requests that left Home Assistant's list since `changedSince` (finished before `shownSince`, or removed): their sensors may still be retained. */
  async gone(shownSince: string, changedSince: string): Promise<number[]> {
    const rows = await this.db.all<{ id: number }>(
      `SELECT id FROM requests WHERE updated_at >= ? AND (removed_at IS NOT NULL OR (state IN ('AVAILABLE', 'FAILED') AND COALESCE(available_at, updated_at) < ?)) ORDER BY id`,
      [changedSince, shownSince],
    );
    return rows.map((r) => r.id);
  }

  /** Home Assistant's counters: in progress, downloading, needing attention, available since `weekAgo`. */
  async counts(weekAgo: string): Promise<HaCounts> {
    const row = await this.db.get<{ in_progress: number | null; downloading: number | null; attention: number | null; available_week: number | null }>(
      `SELECT SUM(state NOT IN ('AVAILABLE', 'FAILED')) AS in_progress, SUM(state IN ('GRABBING', 'DOWNLOADING')) AS downloading,
         SUM(attention IS NOT NULL) AS attention, SUM(state = 'AVAILABLE' AND available_at >= ?) AS available_week
       FROM requests WHERE removed_at IS NULL`,
      [weekAgo],
    );
    return { inProgress: row?.in_progress ?? 0, downloading: row?.downloading ?? 0, attention: row?.attention ?? 0, availableWeek: row?.available_week ?? 0 };
  }
}
