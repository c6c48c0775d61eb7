import { rank, type RequestState } from '../states';
import type { RequestRecord } from '../model';
import type { EpisodeKey } from '../events';
import { displayTitle } from './snapshot';
import { episodeRanges } from './timeline-text';

const TV_WORD: Record<RequestState, string> = {
  REQUESTED: 'requested',
  APPROVED: 'approved',
  GRABBING: 'grabbed',
  DOWNLOADING: 'downloading',
  DOWNLOADED: 'downloaded',
  IMPORTING: 'imported',
  ANIME_MATCHING: 'matching in Shoko',
  AVAILABLE: 'available',
  FAILED: 'failed',
};

const MOVIE_WORD: Record<RequestState, string> = {
  REQUESTED: 'requested',
  APPROVED: 'approved',
  GRABBING: 'grabbed, waiting for the download',
  DOWNLOADING: 'downloading',
  DOWNLOADED: 'downloaded',
  IMPORTING: 'imported, waiting for Jellyfin',
  ANIME_MATCHING: 'matching in Shoko',
  AVAILABLE: 'ready to watch',
  FAILED: 'failed',
};

/** One human sentence for a notification, e.g. "Lycoris Recoil (2022): 13/13 episodes downloaded". */
export function summarise(record: RequestRecord): string {
  const name = record.year ? `${displayTitle(record)} (${record.year})` : displayTitle(record);
  const to = record.state;
  let sentence: string;
  if (record.mediaType === 'tv' && record.episodes.length && to !== 'REQUESTED' && to !== 'APPROVED') {
    const total = record.episodes.length;
    // How many episodes have reached the request's stage (or, for FAILED, failed).
    const reached = record.episodes.filter((e) => (to === 'FAILED' ? e.state === 'FAILED' : e.state !== 'FAILED' && rank(e.state) >= rank(to))).length;
    sentence = `${name}: ${reached}/${total} ${total === 1 ? 'episode' : 'episodes'} ${TV_WORD[to]}`;
  } else {
    sentence = `${name}: ${record.mediaType === 'movie' ? MOVIE_WORD[to] : TV_WORD[to]}`;
    if (to === 'REQUESTED' && record.requestedBy) sentence += ` by ${record.requestedBy}`;
  }
  if (record.attention) sentence += ` (needs attention: ${record.attention.reason})`;
  return sentence;
}

/** Episodes that became available, e.g. "Lycoris Recoil: S01E05 is available (5/13)". */
export function summariseEpisodes(record: RequestRecord, episodes: EpisodeKey[]): string {
  const available = record.episodes.filter((e) => e.state === 'AVAILABLE').length;
  const verb = episodes.length === 1 ? 'is' : 'are';
  return `${displayTitle(record)}: ${episodeRanges(episodes)} ${verb} available (${available}/${record.episodes.length})`;
}
