import { inTurns } from '../big-events';
import { fileNameOf } from '../file-path';
import type { DownloadRecord, EpisodeRecord, RequestRecord, TimelineEntry } from '../model';
import { literal, type Params } from './sqlite';

/** Records to rows: the tables' columns and each record's values for them (load.ts reads them back). */

export const REQUEST_COLUMNS = [
  'media_type',
  'title',
  'year',
  'is_anime',
  'stage',
  'state',
  'requested_by',
  'poster_url',
  'info_source',
  'requested_seasons',
  'jellyseerr_request',
  'tmdb',
  'tvdb',
  'imdb',
  'radarr',
  'sonarr',
  'jellyfin',
  'download_id',
  'final_path',
  'final_name',
  'shoko_file_id',
  'attention',
  'created_at',
  'updated_at',
  'state_changed_at',
  'available_at',
  'progress_at',
  'is4k',
  'instances',
  'upcoming',
  'removed_at',
  'deletion',
  'arr_status',
  'rejections',
];
export const EPISODE_COLUMNS = [
  'request_id',
  'season',
  'episode',
  'title',
  'state',
  'download_id',
  'final_path',
  'final_name',
  'tvdb_id',
  'jellyfin_id',
  'shoko_file_id',
  'progress',
  'available_at',
  'removed_at',
];
export const DOWNLOAD_COLUMNS = ['request_id', 'id', 'progress', 'state', 'speed', 'eta_seconds', 'instance', 'strikes', 'client_state', 'seeds', 'active_at'];
export const TIMELINE_COLUMNS = ['request_id', 'at', 'source', 'event', 'state', 'detail'];

/** The file name Shoko events are looked up by (a TV request's final path is its folder: no file). */
const fileName = (path: string | null) => (path ? fileNameOf(path) : null);

export function requestParams(r: RequestRecord): Params {
  return [
    r.mediaType,
    r.title,
    r.year,
    r.isAnime ? 1 : 0,
    r.stage,
    r.state,
    r.requestedBy,
    r.posterUrl,
    r.infoSource,
    JSON.stringify(r.requestedSeasons),
    r.ids.jellyseerrRequest,
    r.ids.tmdb,
    r.ids.tvdb,
    r.ids.imdb,
    r.ids.radarr,
    r.ids.sonarr,
    r.ids.jellyfin,
    r.downloadId,
    r.finalPath,
    r.mediaType === 'movie' ? fileName(r.finalPath) : null,
    r.shokoFileId,
    r.attention && JSON.stringify(r.attention),
    r.createdAt,
    r.updatedAt,
    r.stateChangedAt,
    r.availableAt,
    r.progressAt,
    r.is4k ? 1 : 0,
    JSON.stringify(r.instances),
    JSON.stringify(r.upcoming),
    r.removedAt,
    r.deletion && JSON.stringify(r.deletion),
    r.arr && JSON.stringify(r.arr),
    r.rejections && JSON.stringify(r.rejections),
  ];
}

export function episodeParams(requestId: number, e: EpisodeRecord): Params {
  return [
    requestId,
    e.season,
    e.episode,
    e.title,
    e.state,
    e.downloadId,
    e.finalPath,
    fileName(e.finalPath),
    e.tvdbId,
    e.jellyfinId,
    e.shokoFileId,
    e.progress,
    e.availableAt,
    e.removedAt,
  ];
}

export function downloadParams(requestId: number, d: DownloadRecord): Params {
  return [requestId, d.id, d.progress, d.state, d.speed, d.etaSeconds, d.instance, d.strikes, d.clientState, d.seeds, d.activeAt];
}

export function timelineParams(requestId: number, entry: TimelineEntry): Params {
  return [requestId, entry.at, entry.source, entry.event, entry.state, entry.detail];
}

export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * An insert of many rows as one statement of literals. Joined, not appended: one flat string is
 * cheaper to keep until the COMMIT than a rope of a thousand rows' pieces.
 */
export function insertScript(table: string, columns: string[], rows: Params[], verb = 'INSERT OR REPLACE'): string {
  if (!rows.length) return '';
  const tuples = rows.map((row) => {
    let tuple = `(${literal(row[0]!)}`;
    for (let c = 1; c < row.length; c++) tuple += `, ${literal(row[c]!)}`;
    return `${tuple})`;
  });
  return `${verb} INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')};`;
}

/** insertScript for many rows: a statement per thousand, made in turns (see inTurns), so a long show's ten thousand rows keep Node-RED serving the rest. */
function insertsInTurns<T>(table: string, columns: string[], items: T[], row: (item: T) => Params, verb: string): Promise<string[]> {
  return inTurns(items, (slice) => [insertScript(table, columns, slice.map(row), verb)]);
}

/** A request's episodes (new ones: a plain insert, since REPLACE would look for a row to delete in every index). */
export function episodeInserts(requestId: number, episodes: EpisodeRecord[], fresh: boolean): Promise<string[]> {
  return insertsInTurns('episodes', EPISODE_COLUMNS, episodes, (e) => episodeParams(requestId, e), fresh ? 'INSERT' : 'INSERT OR REPLACE');
}

export function downloadsScript(requestId: number, downloads: DownloadRecord[]): string {
  return insertScript(
    'downloads',
    DOWNLOAD_COLUMNS,
    downloads.map((d) => downloadParams(requestId, d)),
  );
}

export function factInserts(requestId: number, facts: string[]): Promise<string[]> {
  return insertsInTurns('facts', ['request_id', 'fact'], facts, (fact) => [requestId, fact], 'INSERT OR IGNORE');
}
