import type { ProgressEvent } from '../../events';
import { progressEvent, stageOf, type TorrentFile } from './torrents';
import type { ActiveDownload } from '../../store/reader';
import type { QbitClient } from './client';

/**
 * One poll of qBittorrent for the downloads the store is waiting on: all of them in one
 * `torrents/info` call, nothing at all when there are none. Season packs (downloads several episodes
 * share) also get their file list, for per-episode progress, at most every `filesEvery` polls; the
 * last list is reused in between so an episode's progress never falls back to the torrent's.
 */
export class QbitPoller {
  private polls = 0;
  private readonly files = new Map<string, { poll: number; files: TorrentFile[] }>();

  constructor(
    private readonly client: QbitClient,
    private readonly filesEvery = 5,
  ) {}

  async poll(active: ActiveDownload[], at: string): Promise<ProgressEvent[]> {
    if (!active.length) return [];
    const poll = ++this.polls;
    const packs = new Set(active.filter((d) => d.episodes > 1).map((d) => d.id));
    const torrents = await this.client.torrents(active.map((d) => d.id));
    const events: ProgressEvent[] = [];
    for (const torrent of torrents) {
      const id = torrent.hash.toUpperCase();
      let files = this.files.get(id);
      if (packs.has(id) && stageOf(torrent) === 'DOWNLOADING' && (!files || poll - files.poll >= this.filesEvery)) {
        files = { poll, files: await this.client.files(id) };
        this.files.set(id, files);
      }
      events.push(progressEvent(torrent, at, packs.has(id) ? files?.files : undefined));
    }
    // Forget the file lists of downloads that are no longer waited on.
    const waiting = new Set(active.map((d) => d.id));
    for (const id of this.files.keys()) if (!waiting.has(id)) this.files.delete(id);
    return events;
  }
}
