import type { ArrPlacement, UpcomingEpisode } from '../model';
import type { RequestState } from '../states';
import { stateOf } from './load';
import type { Connection } from './sqlite';

/** The queries the sync reads the tracker's side with (see lib/sync.ts), on the reader's connection. */
export class SyncReads {
  constructor(private readonly db: Connection) {}

  /** A sync source's cursor (see StatusStore.saveCursor), or undefined before its first sync. */
  async cursor(source: string): Promise<string | undefined> {
    return (await this.db.get<{ cursor: string }>('SELECT cursor FROM sync_cursors WHERE source = ?', [source]))?.cursor;
  }

  /** Every request Jellyseerr knows of, as the sync needs it: finished or not, titled or not, removed or not. */
  async jellyseerrRequests(): Promise<JellyseerrTracked[]> {
    const rows = await this.db.all<{ jellyseerr_request: number; state: string; titled: number; removed: number }>(
      `SELECT jellyseerr_request, state, title IS NOT NULL AS titled, removed_at IS NOT NULL AS removed FROM requests WHERE jellyseerr_request IS NOT NULL`,
    );
    return rows.map((r) => ({ jellyseerrRequest: r.jellyseerr_request, state: stateOf(r.state), titled: r.titled === 1, removed: r.removed === 1 }));
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

export interface JellyseerrTracked {
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
