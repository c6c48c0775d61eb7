import type { MediaType } from '../events';
import type { RequestRecord, ServiceHealth, TimelineEntry } from '../model';
import { STAGES, type RequestState } from '../states';
import type { StageRow } from '../tracker/eta';
import { placeholders } from './rows';
import { fromLoaded, LOAD, stateOf, type LoadedRow } from './load';
import type { Connection, Params } from './sqlite';
import { HaReads } from './ha-reads';
import { PeopleReads } from './people-reads';
import { SyncReads } from './sync-reads';

/** A download the store is waiting on, and how many episodes share it (more than one: a season pack). */
export interface ActiveDownload {
  id: string;
  episodes: number;
}

export interface ListFilter {
  states?: RequestState[];
  /** Only requests that are neither AVAILABLE nor FAILED. */
  activeOnly?: boolean;
  requestedBy?: string;
  limit: number;
  offset?: number;
}

/** What the status page's numbers are computed from (see tracker/stats.ts). */
export interface StatsRow {
  mediaType: MediaType;
  createdAt: string;
  availableAt: string | null;
  attention: boolean;
  finished: boolean;
}

/**
 * The read queries. They run on their own connection (read-only), so they only ever see committed
 * data, never a write transaction's work in progress.
 */
export class StoreReader {
  /** What the sync reads (see lib/sync.ts). */
  readonly sync: SyncReads;
  /** What Home Assistant shows (see lib/ha). */
  readonly ha: HaReads;
  /** The household's people, their links and follows (see lib/people). */
  readonly people: PeopleReads;

  constructor(private readonly db: Connection) {
    this.sync = new SyncReads(db);
    this.ha = new HaReads(db);
    this.people = new PeopleReads(db);
  }

  async listRequests(filter: ListFilter): Promise<RequestRecord[]> {
    const where: string[] = [];
    const params: Params = [];
    if (filter.states?.length) {
      where.push(`r.state IN (${placeholders(filter.states.length)})`);
      params.push(...filter.states);
    }
    // A deletion that waits is something under way too (it may still be kept).
    if (filter.activeOnly) where.push(`((r.state NOT IN ('AVAILABLE', 'FAILED') AND r.removed_at IS NULL) OR r.deletion IS NOT NULL)`);
    if (filter.requestedBy !== undefined) {
      where.push('r.requested_by = ?');
      params.push(filter.requestedBy);
    }
    const sql = `${LOAD} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC LIMIT ? OFFSET ?`;
    return (await this.db.allOnce<LoadedRow>(sql, [...params, filter.limit, filter.offset ?? 0])).map(fromLoaded);
  }

  /** Several requests by id (for live updates), newest first. */
  async requestsById(ids: number[]): Promise<RequestRecord[]> {
    if (!ids.length) return [];
    return (await this.db.allOnce<LoadedRow>(`${LOAD} WHERE r.id IN (${placeholders(ids.length)}) ORDER BY r.id DESC`, ids)).map(fromLoaded);
  }

  async getRequest(id: number): Promise<RequestRecord | undefined> {
    const row = await this.db.get<LoadedRow>(`${LOAD} WHERE r.id = ?`, [id]);
    return row && fromLoaded(row);
  }

  async timeline(requestId: number): Promise<TimelineEntry[]> {
    const rows = await this.db.all<TimelineEntry & { count: number; last_at: string | null }>(
      'SELECT at, source, event, state, detail, count, last_at FROM timeline WHERE request_id = ? ORDER BY julianday(at), id',
      [requestId],
    );
    return rows.map(({ count, last_at, ...entry }) => (count > 1 ? { ...entry, count, lastAt: last_at ?? entry.at } : entry));
  }

  /** Who asked for things, for a filter. */
  async requesters(): Promise<string[]> {
    const rows = await this.db.all<{ requested_by: string }>(
      'SELECT DISTINCT requested_by FROM requests WHERE requested_by IS NOT NULL ORDER BY requested_by COLLATE NOCASE',
    );
    return rows.map((r) => r.requested_by);
  }

  /**
   * When the most recent finished requests reached each stage, from their timelines (what the ETAs are
   * measured from; see tracker/eta.ts). A movie's release date, when Radarr gave one, counts as ready.
   */
  async stageRows(limit = 500): Promise<StageRow[]> {
    const first = (states: string[]) =>
      `(SELECT MIN(t.at) FROM timeline t WHERE t.request_id = r.id AND t.state IN (${states.map((s) => `'${s}'`).join(', ')}))`;
    const rows = await this.db.all<{
      media_type: MediaType;
      is_anime: number;
      release_at: string | null;
      approved_at: string | null;
      grabbed_at: string | null;
      downloaded_at: string | null;
      available_at: string;
    }>(
      `SELECT r.media_type, r.is_anime, json_extract(r.arr_status, '$.releaseAt') AS release_at, r.available_at,
        ${first(STAGES.slice(1))} AS approved_at, ${first(STAGES.slice(2))} AS grabbed_at, ${first(STAGES.slice(4))} AS downloaded_at
       FROM requests r WHERE r.available_at IS NOT NULL ORDER BY r.available_at DESC LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      mediaType: r.media_type,
      isAnime: r.is_anime === 1,
      readyAt: r.release_at && r.approved_at && r.release_at > r.approved_at ? r.release_at : r.approved_at,
      grabbedAt: r.grabbed_at,
      downloadedAt: r.downloaded_at,
      availableAt: r.available_at,
    }));
  }

  async statsRows(): Promise<StatsRow[]> {
    const rows = await this.db.all<{ media_type: MediaType; created_at: string; available_at: string | null; attention: number; state: string }>(
      'SELECT media_type, created_at, available_at, attention IS NOT NULL AS attention, state FROM requests',
    );
    return rows.map((r) => ({
      mediaType: r.media_type,
      createdAt: r.created_at,
      availableAt: r.available_at,
      attention: r.attention === 1,
      finished: r.state === 'AVAILABLE' || r.state === 'FAILED',
    }));
  }

  /**
   * Downloads still on their way: not complete, of requests not finished. One request's downloads
   * (a "verify now"), failed ones included, when `requestId` is given.
   */
  async activeDownloads(requestId?: number): Promise<ActiveDownload[]> {
    const scope =
      requestId === undefined ? `d.state IN ('GRABBING', 'DOWNLOADING') AND r.state NOT IN ('AVAILABLE', 'FAILED')` : `d.state != 'DOWNLOADED' AND r.id = ?`;
    return this.db.all<ActiveDownload>(
      `SELECT d.id AS id, (SELECT COUNT(*) FROM episodes e WHERE e.request_id = d.request_id AND e.download_id = d.id) AS episodes
       FROM downloads d JOIN requests r ON r.id = d.request_id WHERE ${scope} ORDER BY d.id`,
      requestId === undefined ? [] : [requestId],
    );
  }

  /** Unfinished requests whose last progress is older than their stage's cutoff, and that need nothing else yet. */
  async stuckCandidates(cutoffs: [RequestState, string][]): Promise<{ id: number; state: RequestState; progressAt: string }[]> {
    if (!cutoffs.length) return [];
    const rows = await this.db.all<{ id: number; state: string; progress_at: string }>(
      `SELECT id, state, progress_at FROM requests WHERE attention IS NULL AND removed_at IS NULL AND (${cutoffs.map(() => '(state = ? AND progress_at < ?)').join(' OR ')}) ORDER BY id`,
      cutoffs.flat(),
    );
    return rows.map((r) => ({ id: r.id, state: stateOf(r.state), progressAt: r.progress_at }));
  }

  /**
   * Requests that wait for evidence that they play: imported or matching, downloaded for a while,
   * approved for a while (a re-request of media already there never produces a grab). Newest first.
   */
  async awaitingEvidence(downloadedBefore: string, approvedBefore: string, limit: number): Promise<RequestRecord[]> {
    const rows = await this.db.all<LoadedRow>(
      `${LOAD} WHERE r.state IN ('IMPORTING', 'ANIME_MATCHING') OR (r.state = 'DOWNLOADED' AND r.state_changed_at < ?)
         OR (r.state = 'APPROVED' AND r.state_changed_at < ?) ORDER BY r.id DESC LIMIT ?`,
      [downloadedBefore, approvedBefore, limit],
    );
    return rows.map(fromLoaded);
  }

  /** A request's facts that start with `prefix` (what actions it had: see lib/actions). */
  async factsLike(requestId: number, prefix: string): Promise<string[]> {
    const rows = await this.db.all<{ fact: string }>('SELECT fact FROM facts WHERE request_id = ? AND substr(fact, 1, ?) = ? ORDER BY fact', [
      requestId,
      prefix.length,
      prefix,
    ]);
    return rows.map((r) => r.fact);
  }

  /** Requests whose pending deletion is due by `now`, oldest first. */
  async dueDeletions(now: string): Promise<RequestRecord[]> {
    const rows = await this.db.all<LoadedRow>(`${LOAD} WHERE r.deletion IS NOT NULL AND json_extract(r.deletion, '$.dueAt') <= ? ORDER BY r.id`, [now]);
    return rows.map(fromLoaded);
  }

  /** The requests that hold each of these downloads (a season pack two requests share). */
  async downloadHolders(ids: string[]): Promise<Map<string, number[]>> {
    const holders = new Map<string, number[]>();
    if (!ids.length) return holders;
    const rows = await this.db.all<{ id: string; request_id: number }>(
      `SELECT id, request_id FROM downloads WHERE id IN (SELECT value FROM json_each(?)) ORDER BY request_id`,
      [JSON.stringify(ids)],
    );
    for (const row of rows) holders.set(row.id, [...(holders.get(row.id) ?? []), row.request_id]);
    return holders;
  }

  /** The last health notice of each service instance that has one, newest first. */
  serviceHealth(): Promise<ServiceHealth[]> {
    return this.db.all<ServiceHealth>('SELECT instance, source, level, message, check_type AS "check", at FROM service_health ORDER BY at DESC');
  }

  /** Unfinished requests without an ETA given in their current state (see tracker/outlook.ts). */
  async unpredicted(limit = 200): Promise<RequestRecord[]> {
    const rows = await this.db.all<LoadedRow>(
      `${LOAD} WHERE r.state NOT IN ('AVAILABLE', 'FAILED') AND r.removed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM eta_predictions p WHERE p.request_id = r.id AND p.state = r.state) ORDER BY r.id LIMIT ?`,
      [limit],
    );
    return rows.map(fromLoaded);
  }

  /** How far off the latest settled ETAs were (ms, absolute), newest first. */
  async etaErrors(limit = 200): Promise<number[]> {
    const rows = await this.db.all<{ error: number }>(
      `SELECT abs(julianday(actual_at) - julianday(eta_at)) * 86400000 AS error FROM eta_predictions
        WHERE actual_at IS NOT NULL AND eta_at IS NOT NULL ORDER BY actual_at DESC LIMIT ?`,
      [limit],
    );
    return rows.map((r) => Math.round(r.error));
  }
}
