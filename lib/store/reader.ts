import type { MediaType } from '../events';
import type { ArrPlacement, RequestRecord, ServiceHealth, TimelineEntry, UpcomingEpisode } from '../model';
import { STAGES, type RequestState } from '../states';
import type { StageRow } from '../tracker/eta';
import { fromLoaded, LOAD, placeholders, stateOf, type LoadedRow } from './rows';
import type { Connection, Params } from './sqlite';

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
  constructor(private readonly db: Connection) {}

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

  /** What Home Assistant shows (see lib/ha): requests in progress, and those available since `availableSince`, none removed; of `ids` only when given. */
  async haRequests(availableSince: string, ids?: number[]): Promise<RequestRecord[]> {
    const only = ids ? `AND r.id IN (SELECT value FROM json_each(?))` : '';
    const rows = await this.db.allOnce<LoadedRow>(
      `${LOAD} WHERE r.removed_at IS NULL AND (r.state NOT IN ('AVAILABLE', 'FAILED') OR (r.state = 'AVAILABLE' AND r.available_at >= ?)) ${only} ORDER BY r.id`,
      ids ? [availableSince, JSON.stringify(ids)] : [availableSince],
    );
    return rows.map(fromLoaded);
  }

  /** Requests that left Home Assistant's list since `changedSince` (finished before `shownSince`, or removed): their sensors may still be retained. */
  async haGone(shownSince: string, changedSince: string): Promise<number[]> {
    const rows = await this.db.all<{ id: number }>(
      `SELECT id FROM requests WHERE updated_at >= ? AND (removed_at IS NOT NULL OR (state IN ('AVAILABLE', 'FAILED') AND COALESCE(available_at, updated_at) < ?)) ORDER BY id`,
      [changedSince, shownSince],
    );
    return rows.map((r) => r.id);
  }

  /** Home Assistant's counters: in progress, downloading, needing attention, available since `weekAgo`. */
  async haCounts(weekAgo: string): Promise<{ inProgress: number; downloading: number; attention: number; availableWeek: number }> {
    const row = await this.db.get<{ in_progress: number | null; downloading: number | null; attention: number | null; available_week: number | null }>(
      `SELECT SUM(state NOT IN ('AVAILABLE', 'FAILED')) AS in_progress, SUM(state IN ('GRABBING', 'DOWNLOADING')) AS downloading,
         SUM(attention IS NOT NULL) AS attention, SUM(state = 'AVAILABLE' AND available_at >= ?) AS available_week
       FROM requests WHERE removed_at IS NULL`,
      [weekAgo],
    );
    return { inProgress: row?.in_progress ?? 0, downloading: row?.downloading ?? 0, attention: row?.attention ?? 0, availableWeek: row?.available_week ?? 0 };
  }

  /** The last health notice of each service instance that has one, newest first. */
  serviceHealth(): Promise<ServiceHealth[]> {
    return this.db.all<ServiceHealth>('SELECT instance, source, level, message, check_type AS "check", at FROM service_health ORDER BY at DESC');
  }

  /** A sync source's cursor (see StatusStore.saveCursor), or undefined before its first sync. */
  async syncCursor(source: string): Promise<string | undefined> {
    return (await this.db.get<{ cursor: string }>('SELECT cursor FROM sync_cursors WHERE source = ?', [source]))?.cursor;
  }

  /** Every request Jellyseerr knows of, as the sync needs it: finished or not, titled or not, removed or not. */
  async jellyseerrRequests(): Promise<SeerrTracked[]> {
    const rows = await this.db.all<{ jellyseerr_request: number; state: string; titled: number; removed: number }>(
      `SELECT jellyseerr_request, state, title IS NOT NULL AS titled, removed_at IS NOT NULL AS removed FROM requests WHERE jellyseerr_request IS NOT NULL`,
    );
    return rows.map((r) => ({ jellyseerrRequest: r.jellyseerr_request, state: stateOf(r.state), titled: r.titled === 1, removed: r.removed === 1 }));
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

  /** Movies approved and not grabbed yet (not removed): the sync reads Radarr's record of each, for why it waits. */
  async waitingMovies(): Promise<WaitingMovie[]> {
    const rows = await this.db.all<{ id: number; tmdb: number; radarr: number | null; instances: string; is4k: number }>(
      `SELECT id, tmdb, radarr, instances, is4k FROM requests WHERE media_type = 'movie' AND state = 'APPROVED' AND tmdb IS NOT NULL AND removed_at IS NULL ORDER BY id`,
    );
    return rows.map((r) => ({ id: r.id, tmdb: r.tmdb, radarr: r.radarr, instances: JSON.parse(r.instances) as ArrPlacement[], is4k: r.is4k === 1 }));
  }

  /** TV requests not removed, with what the sync needs to list their episodes. */
  async trackedShows(): Promise<TrackedShow[]> {
    const rows = await this.db.all<{
      id: number;
      state: string;
      tvdb: number | null;
      sonarr: number | null;
      instances: string;
      requested_seasons: string;
      upcoming: string;
      is4k: number;
    }>(`SELECT id, state, tvdb, sonarr, instances, requested_seasons, upcoming, is4k FROM requests WHERE media_type = 'tv' AND removed_at IS NULL ORDER BY id`);
    return rows.map((r) => ({
      id: r.id,
      state: stateOf(r.state),
      is4k: r.is4k === 1,
      tvdb: r.tvdb,
      sonarr: r.sonarr,
      instances: JSON.parse(r.instances) as ArrPlacement[],
      requestedSeasons: JSON.parse(r.requested_seasons) as number[],
      upcoming: JSON.parse(r.upcoming) as UpcomingEpisode[],
    }));
  }
}

export interface SeerrTracked {
  jellyseerrRequest: number;
  state: RequestState;
  titled: boolean;
  removed: boolean;
}

export interface WaitingMovie {
  id: number;
  tmdb: number;
  radarr: number | null;
  instances: ArrPlacement[];
  is4k: boolean;
}

export interface TrackedShow {
  id: number;
  state: RequestState;
  is4k: boolean;
  tvdb: number | null;
  /** The HD Sonarr's series id. */
  sonarr: number | null;
  instances: ArrPlacement[];
  requestedSeasons: number[];
  upcoming: UpcomingEpisode[];
}
