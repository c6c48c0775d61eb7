import { SourceSchema, type MediaType, type PendingDeletion } from '../events';
import type { ArrStatus, Attention, DownloadRecord, Rejections, EpisodeRecord, RequestRecord } from '../model';
import { RequestStateSchema } from '../states';
import type { Candidate } from './lookup';

/** Rows to records: how a request loads in one statement, and its row read back. */

/** The columns correlation reads (see Candidate), of `requests r`. */
export const CANDIDATE = 'r.id, r.state, r.jellyseerr_request, r.requested_seasons, r.is4k';

export type RequestRow = {
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

/** Episode and download columns in the order the JSON aggregates of LOAD list them. */
export type EpisodeTuple = [
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

export type DownloadTuple = [string, number, string, number | null, number | null, string | null, number, string | null, number | null, string | null];

export function toEpisodes(json: string): EpisodeRecord[] {
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

export function toDownloads(json: string): DownloadRecord[] {
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

/** A request row with its episodes and downloads, in one statement (`extra`: more columns). */
export const loadWith = (extra = '') => `SELECT r.*,
  (SELECT json_group_array(json_array(season, episode, title, state, download_id, final_path, tvdb_id, jellyfin_id, shoko_file_id, progress, available_at, removed_at) ORDER BY season, episode)
     FROM episodes WHERE request_id = r.id) AS episodes_json,
  (SELECT json_group_array(json_array(id, progress, state, speed, eta_seconds, instance, strikes, client_state, seeds, active_at) ORDER BY id) FROM downloads WHERE request_id = r.id) AS downloads_json${extra}
  FROM requests r`;
export const LOAD = loadWith();
