import { rank, type EpisodeState, type RequestState } from '../states';
import type { DownloadRecord, RequestRecord } from '../model';

/**
 * A TV request's state from its episodes: AVAILABLE when every tracked episode is; FAILED when none
 * is still in progress and at least one failed; otherwise the least advanced unfinished stage, so a
 * request never looks further along than its slowest episode (and its torrents keep being polled).
 */
export function aggregateEpisodes(states: readonly EpisodeState[]): RequestState | undefined {
  if (!states.length) return undefined;
  let least: EpisodeState | undefined;
  let failed = false;
  for (const state of states) {
    if (state === 'FAILED') failed = true;
    else if (state !== 'AVAILABLE' && (!least || rank(state) < rank(least))) least = state;
  }
  if (least) return least;
  return failed ? 'FAILED' : 'AVAILABLE';
}

export function deriveState(record: Pick<RequestRecord, 'mediaType' | 'stage' | 'episodes'>): RequestState {
  if (record.mediaType === 'movie') return record.stage;
  return aggregateEpisodes(record.episodes.map((e) => e.state)) ?? record.stage;
}

/**
 * The downloads a request currently depends on: the movie's download or every episode's, in id order.
 * Progress and instance are kept from before (a new one is the event's `instance`'s); an import proves its download finished.
 */
export function deriveDownloads(
  record: Pick<RequestRecord, 'mediaType' | 'stage' | 'downloadId' | 'episodes' | 'downloads'>,
  instance: string | undefined,
): DownloadRecord[] {
  const items = record.mediaType === 'movie' ? [{ state: record.stage, downloadId: record.downloadId }] : record.episodes;
  const byId = new Map<string, RequestState[]>();
  for (const item of items) {
    if (!item.downloadId) continue;
    const states = byId.get(item.downloadId);
    if (states) states.push(item.state);
    else byId.set(item.downloadId, [item.state]);
  }
  const previous = new Map(record.downloads.map((d) => [d.id, d]));
  return [...byId.keys()].sort().map((id) => {
    const known: DownloadRecord = previous.get(id) ?? {
      id,
      progress: 0,
      state: 'GRABBING',
      speed: null,
      etaSeconds: null,
      instance: instance ?? null,
      strikes: 0,
      clientState: null,
      seeds: null,
      activeAt: null,
    };
    const states = byId.get(id)!;
    if (states.some((s) => rank(s) >= rank('DOWNLOADED'))) return { ...known, id, progress: 1, state: 'DOWNLOADED', speed: null, etaSeconds: null, strikes: 0 };
    if (states.every((s) => s === 'FAILED')) return { ...known, state: 'FAILED', speed: null, etaSeconds: null };
    return { ...known };
  });
}
