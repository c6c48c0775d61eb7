import { SourceSchema, type MediaType, type PendingDeletion } from '../events';
import { fileNameOf } from '../file-path';
import type { ArrStatus, Attention, DownloadRecord, Rejections, EpisodeRecord, RequestRecord, TimelineEntry } from '../model';
import { RequestStateSchema } from '../states';
import type { Candidate } from './lookup';
import { literal, type Params } from './sqlite';

/** Records to rows and back: the tables' columns and how a request loads in one statement. */

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

/** The columns correlation reads (see Candidate), of `requests r`. */
export const CANDIDATE = 'r.id, r.state, r.jellyseerr_request, r.requested_seasons, r.is4k';

type RequestRow = {
  id: number;
  media_type: MediaType;
  title: string | null;
  year: number | null;
  is_anime: number;
  stage: string;
  state: string;
  requested_by: string | null;
  poster_url: string | null;
  info_source: string | null;
  requested_seasons: string;
  jellyseerr_request: number | null;
  tmdb: number | null;
  tvdb: number | null;
  imdb: string | null;
  radarr: number | null;
  sonarr: number | null;
  jellyfin: string | null;
  download_id: string | null;
  final_path: string | null;
  shoko_file_id: number | null;
  attention: string | null;
  created_at: string;
  updated_at: string;
  state_changed_at: string;
  available_at: string | null;
  progress_at: string;
  is4k: number;
  instances: string;
  upcoming: string;
  removed_at: string | null;
  deletion: string | null;
  arr_status: string | null;
  rejections: string | null;
};
export type LoadedRow = RequestRow & { episodes_json: string; downloads_json: string };
export type CandidateRow = { id: number; state: string; jellyseerr_request: number | null; requested_seasons: string; is4k: number };

/** A state column's value, checked. */
export const stateOf = (value: string) => RequestStateSchema.parse(value);

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

/** Episode and download columns in the order the JSON aggregates of LOAD list them. */
type EpisodeTuple = [
  number,
  number,
  string | null,
  string,
  string | null,
  string | null,
  number | null,
  string | null,
  number | null,
  number | null,
  string | null,
  string | null,
];
type DownloadTuple = [string, number, string, number | null, number | null, string | null, number, string | null, number | null, string | null];

function toEpisodes(json: string): EpisodeRecord[] {
  return (JSON.parse(json) as EpisodeTuple[]).map(
    ([season, episode, title, st, downloadId, finalPath, tvdbId, jellyfinId, shokoFileId, progress, availableAt, removedAt]) => ({
      season,
      episode,
      title,
      state: stateOf(st) as EpisodeRecord['state'],
      downloadId,
      finalPath,
      tvdbId,
      jellyfinId,
      shokoFileId,
      progress,
      availableAt,
      removedAt,
    }),
  );
}

function toDownloads(json: string): DownloadRecord[] {
  return (JSON.parse(json) as DownloadTuple[]).map(([id, progress, st, speed, etaSeconds, instance, strikes, clientState, seeds, activeAt]) => ({
    id,
    progress,
    state: stateOf(st) as DownloadRecord['state'],
    speed,
    etaSeconds,
    instance,
    strikes,
    clientState,
    seeds,
    activeAt,
  }));
}

export function fromLoaded(row: LoadedRow): RequestRecord {
  return {
    id: row.id,
    mediaType: row.media_type,
    title: row.title,
    year: row.year,
    isAnime: row.is_anime === 1,
    stage: stateOf(row.stage),
    state: stateOf(row.state),
    requestedBy: row.requested_by,
    posterUrl: row.poster_url,
    infoSource: row.info_source === null ? null : SourceSchema.parse(row.info_source),
    requestedSeasons: JSON.parse(row.requested_seasons) as number[],
    ids: {
      jellyseerrRequest: row.jellyseerr_request,
      tmdb: row.tmdb,
      tvdb: row.tvdb,
      imdb: row.imdb,
      radarr: row.radarr,
      sonarr: row.sonarr,
      jellyfin: row.jellyfin,
    },
    is4k: row.is4k === 1,
    instances: JSON.parse(row.instances) as RequestRecord['instances'],
    upcoming: JSON.parse(row.upcoming) as RequestRecord['upcoming'],
    downloadId: row.download_id,
    finalPath: row.final_path,
    shokoFileId: row.shoko_file_id,
    attention: row.attention ? (JSON.parse(row.attention) as Attention) : null,
    episodes: toEpisodes(row.episodes_json),
    downloads: toDownloads(row.downloads_json),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    stateChangedAt: row.state_changed_at,
    availableAt: row.available_at,
    removedAt: row.removed_at,
    deletion: row.deletion ? (JSON.parse(row.deletion) as PendingDeletion) : null,
    progressAt: row.progress_at,
    arr: row.arr_status ? (JSON.parse(row.arr_status) as ArrStatus) : null,
    rejections: row.rejections ? (JSON.parse(row.rejections) as Rejections) : null,
  };
}

export function toCandidate(row: CandidateRow): Candidate {
  return {
    id: row.id,
    state: stateOf(row.state),
    jellyseerrRequest: row.jellyseerr_request,
    requestedSeasons: JSON.parse(row.requested_seasons) as number[],
    is4k: row.is4k === 1,
  };
}

export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** An insert of many rows as one statement of literals. */
export function insertScript(table: string, columns: string[], rows: Params[], verb = 'INSERT OR REPLACE'): string {
  if (!rows.length) return '';
  return `${verb} INTO ${table} (${columns.join(', ')}) VALUES ${rows.map((row) => `(${row.map(literal).join(', ')})`).join(', ')};`;
}

/** A request row with its episodes and downloads, in one statement (`extra`: more columns). */
export const loadWith = (extra = '') => `SELECT r.*,
  (SELECT json_group_array(json_array(season, episode, title, state, download_id, final_path, tvdb_id, jellyfin_id, shoko_file_id, progress, available_at, removed_at) ORDER BY season, episode)
     FROM episodes WHERE request_id = r.id) AS episodes_json,
  (SELECT json_group_array(json_array(id, progress, state, speed, eta_seconds, instance, strikes, client_state, seeds, active_at) ORDER BY id) FROM downloads WHERE request_id = r.id) AS downloads_json${extra}
  FROM requests r`;
export const LOAD = loadWith();
