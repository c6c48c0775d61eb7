import { z } from 'zod';
import type { EpisodeKey, ProgressEvent } from '../../events';
import { episodeKey, episodesInFileName } from '../../episode-numbers';

/**
 * qBittorrent WebUI API v2 (payloads.md section 5): `torrents/info` and `torrents/files`. Only what
 * tracking reads is validated; 5.x's extra keys (and 5.2's) are dropped.
 */

export const TorrentSchema = z.object({
  hash: z.string().min(1).max(200),
  name: z.string().max(4096).optional(),
  progress: z.number().min(0).max(1),
  dlspeed: z.number().nonnegative().optional(),
  eta: z.number().int().optional(),
  state: z.string().max(64),
  num_seeds: z.number().int().nonnegative().optional(),
  /** Unix seconds; 0 or less: never. */
  last_activity: z.number().int().optional(),
});
export const TorrentListSchema = z.array(TorrentSchema).max(100000);
/** `torrents/properties`: only whether it is private (5.x `private`, null without metadata; 4.x `is_private`). */
export const TorrentPropertiesSchema = z.object({ private: z.boolean().nullable().optional(), is_private: z.boolean().nullable().optional() });
export const TorrentFileSchema = z.object({ name: z.string().max(4096), progress: z.number().min(0).max(1) });
export const TorrentFileListSchema = z.array(TorrentFileSchema).max(100000);
export type Torrent = z.infer<typeof TorrentSchema>;
export type TorrentFile = z.infer<typeof TorrentFileSchema>;

/** "Unknown" in qBittorrent's eta (100 days): stopped, no peers, or seeding without a limit. */
export const ETA_UNKNOWN = 8640000;

/** 4.x named stopped torrents paused*; 5.x stopped*. */
const COMPLETE = new Set(['uploading', 'stalledUP', 'queuedUP', 'forcedUP', 'checkingUP', 'stoppedUP', 'pausedUP']);
const BROKEN = new Set(['error', 'missingFiles']);

export function stageOf(torrent: Pick<Torrent, 'state' | 'progress'>): ProgressEvent['state'] {
  if (BROKEN.has(torrent.state)) return 'FAILED';
  if (COMPLETE.has(torrent.state) || torrent.progress >= 1) return 'DOWNLOADED';
  return 'DOWNLOADING';
}

/** Each episode's progress inside a multi-episode torrent, from the SxxEyy in its file names. */
export function episodeProgress(files: TorrentFile[]): { episodes: EpisodeKey[]; progress: number }[] {
  const byEpisode = new Map<string, { episodes: EpisodeKey[]; progress: number }>();
  for (const file of files) {
    const episodes = episodesInFileName(file.name);
    if (!episodes.length) continue;
    const key = episodes.map(episodeKey).join(',');
    // Several files for one episode (a sample, subtitles): the episode is as far as its least advanced file.
    const known = byEpisode.get(key);
    byEpisode.set(key, { episodes, progress: known ? Math.min(known.progress, file.progress) : file.progress });
  }
  return [...byEpisode.values()];
}

export function progressEvent(torrent: Torrent, at: string, files?: TorrentFile[]): ProgressEvent {
  const state = stageOf(torrent);
  const running = state === 'DOWNLOADING';
  const eta = torrent.eta !== undefined && torrent.eta >= 0 && torrent.eta < ETA_UNKNOWN ? torrent.eta : undefined;
  return {
    source: 'qbittorrent',
    at,
    kind: 'download-progress',
    downloadId: torrent.hash.toUpperCase(),
    state,
    progress: state === 'DOWNLOADED' ? 1 : torrent.progress,
    speed: running ? torrent.dlspeed : undefined,
    etaSeconds: running ? eta : undefined,
    clientState: torrent.state,
    seeds: torrent.num_seeds,
    activeAt: torrent.last_activity && torrent.last_activity > 0 ? new Date(torrent.last_activity * 1000).toISOString() : undefined,
    files: files && episodeProgress(files),
  };
}
