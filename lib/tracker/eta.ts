import type { MediaType } from '../events';
import type { EpisodeRecord, Eta, RequestRecord, Waiting } from '../model';
import { rank, type RequestState } from '../states';
import { episodeKey } from '../episode-numbers';
import { humanDuration } from './stuck';
import { arrEpisode, downloadOf } from './lookups';

/**
 * When a request or episode will be ready, from this household's own measured stage times (the
 * stored timelines of the requests that became AVAILABLE) and, while downloading, the download
 * client's ETA. Never invented: without a basis the ETA says why there is none.
 */

/** The measured stages: from release (or approval, if later) to the grab, the download, and from downloaded to AVAILABLE. */
export const MEASURED_STAGES = ['grab', 'download', 'finish'] as const;
export type MeasuredStage = (typeof MEASURED_STAGES)[number];

/** What a finished request's timeline says: when it reached each stage (the store reads it, see StoreReader.stageRows). */
export interface StageRow {
  mediaType: MediaType;
  isAnime: boolean;
  /** Approved, or released when that came later (Radarr's release date). */
  readyAt: string | null;
  grabbedAt: string | null;
  downloadedAt: string | null;
  availableAt: string;
}

export interface Spread {
  count: number;
  medianMs: number;
  /** 10th and 90th percentiles: the range. */
  lowMs: number;
  highMs: number;
}

/** Stage spreads per group: "movie", "tv", "movie:anime", "tv:anime". */
export type StageTimes = Record<string, Partial<Record<MeasuredStage, Spread>>>;

/** Fewer finished requests than this in a group are no basis: the group of its media type is used, else none. */
export const MIN_SAMPLES = 3;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}

export function spreadOf(ms: number[]): Spread | undefined {
  if (ms.length < MIN_SAMPLES) return undefined;
  const sorted = [...ms].sort((a, b) => a - b);
  return { count: sorted.length, medianMs: percentile(sorted, 0.5), lowMs: percentile(sorted, 0.1), highMs: percentile(sorted, 0.9) };
}

const between = (from: string | null, to: string | null): number | undefined => {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return ms >= 0 ? ms : undefined;
};

export function measureStages(rows: StageRow[]): StageTimes {
  const samples = new Map<string, Record<MeasuredStage, number[]>>();
  const add = (group: string, stage: MeasuredStage, ms: number | undefined) => {
    if (ms === undefined) return;
    let entry = samples.get(group);
    if (!entry) samples.set(group, (entry = { grab: [], download: [], finish: [] }));
    entry[stage].push(ms);
  };
  for (const row of rows) {
    const measured: [MeasuredStage, number | undefined][] = [
      ['grab', between(row.readyAt, row.grabbedAt)],
      ['download', between(row.grabbedAt, row.downloadedAt)],
      ['finish', between(row.downloadedAt ?? row.grabbedAt, row.availableAt)],
    ];
    for (const [stage, ms] of measured) {
      add(row.mediaType, stage, ms);
      if (row.isAnime) add(`${row.mediaType}:anime`, stage, ms);
    }
  }
  const times: StageTimes = {};
  for (const [group, stages] of samples) {
    const spreads: Partial<Record<MeasuredStage, Spread>> = {};
    for (const stage of MEASURED_STAGES) {
      const spread = spreadOf(stages[stage]);
      if (spread) spreads[stage] = spread;
    }
    times[group] = spreads;
  }
  return times;
}

export interface EtaContext {
  now: Date;
  stages: StageTimes;
}

/** The spread of a stage for this request: its own group (anime or not), else its media type's. */
function stageOf(record: Pick<RequestRecord, 'mediaType' | 'isAnime'>, stage: MeasuredStage, stages: StageTimes): Spread | undefined {
  return (record.isAnime ? stages[`${record.mediaType}:anime`]?.[stage] : undefined) ?? stages[record.mediaType]?.[stage];
}

const unknown = (basis: string): Eta => ({ at: null, low: null, high: null, basis });
const iso = (ms: number) => new Date(ms).toISOString();
const typical = (spread: Spread, what: string) => `typical ${humanDuration(spread.medianMs)} ${what} (median of ${spread.count})`;

/** `base` plus the stages' sums; the range adds their lows and highs. */
function sumFrom(base: number, spreads: Spread[], now: number, basis: string[]): Eta {
  const median = base + spreads.reduce((t, s) => t + s.medianMs, 0);
  const high = base + spreads.reduce((t, s) => t + s.highMs, 0);
  if (high < now) return unknown(`later than ever measured: ${basis.join(' + ')}`);
  const low = base + spreads.reduce((t, s) => t + s.lowMs, 0);
  return { at: iso(Math.max(median, now)), low: iso(Math.max(low, now)), high: iso(high), basis: basis.join(' + ') };
}

type Item = { state: RequestState; downloadId: string | null };

/** An item's ETA given why it waits (a paused or stalled download has no ETA). */
function itemEta(record: RequestRecord, item: Item, waiting: Waiting | null, context: EtaContext, releaseAt: string | null): Eta | null {
  const now = context.now.getTime();
  const need = (stage: MeasuredStage, what: string): Spread | string =>
    stageOf(record, stage, context.stages) ?? `no basis yet: fewer than ${MIN_SAMPLES} ${record.mediaType === 'movie' ? 'movies' : 'shows'} measured ${what}`;
  if (item.state === 'AVAILABLE') return null;
  if (
    waiting &&
    ['declined', 'not-monitored', 'paused', 'stalled', 'needs-link', 'import-blocked', 'private-torrent', 'deleted', 'download-failed'].includes(waiting.code)
  )
    return unknown(`no basis while it is ${waiting.code.replace(/-/g, ' ')}`);
  switch (item.state) {
    case 'FAILED':
      return unknown('no basis: it failed');
    case 'REQUESTED':
      return unknown('no basis: it waits for a person to approve it');
    case 'APPROVED': {
      if (waiting?.code === 'not-released' && !releaseAt) return unknown('no basis: no release date yet');
      const parts = [need('grab', 'from release to grab'), need('download', 'downloading'), need('finish', 'from downloaded to available')];
      const missing = parts.find((p): p is string => typeof p === 'string');
      if (missing) return unknown(missing);
      const spreads = parts as Spread[];
      const ready = Math.max(releaseAt ? Date.parse(releaseAt) : 0, Date.parse(record.stateChangedAt));
      const from =
        releaseAt && Date.parse(releaseAt) > Date.parse(record.stateChangedAt) ? `release ${new Date(ready).toISOString().slice(0, 10)}` : 'approval';
      return sumFrom(ready, spreads, now, [
        `from ${from}`,
        typical(spreads[0]!, 'to grab'),
        typical(spreads[1]!, 'to download'),
        typical(spreads[2]!, 'to available'),
      ]);
    }
    case 'GRABBING':
    case 'DOWNLOADING': {
      const finish = need('finish', 'from downloaded to available');
      if (typeof finish === 'string') return unknown(finish);
      const download = downloadOf(record, item.downloadId);
      if (download?.etaSeconds !== null && download?.etaSeconds !== undefined) {
        const done = now + download.etaSeconds * 1000;
        return sumFrom(done, [finish], now, [`download client's ETA ${humanDuration(download.etaSeconds * 1000)}`, typical(finish, 'to available')]);
      }
      const downloading = need('download', 'downloading');
      if (typeof downloading === 'string') return unknown(downloading);
      return sumFrom(Date.parse(record.stateChangedAt), [downloading, finish], now, [typical(downloading, 'to download'), typical(finish, 'to available')]);
    }
    default: {
      const finish = need('finish', 'from downloaded to available');
      if (typeof finish === 'string') return unknown(finish);
      // From when it moved last: the stage it reached then counts as downloaded.
      const since = rank(item.state) >= rank('DOWNLOADED') ? Date.parse(record.progressAt) : now;
      return sumFrom(since, [finish], now, [typical(finish, 'from downloaded to available')]);
    }
  }
}

export function episodeEta(record: RequestRecord, episode: EpisodeRecord, waiting: Waiting | null, context: EtaContext): Eta | null {
  const airDate = arrEpisode(record, episodeKey(episode))?.airDate ?? null;
  return itemEta(record, episode, waiting, context, airDate);
}

/** A request is ready when its slowest unfinished episode is; a movie (or a show with none tracked) by its own stage. */
export function requestEta(record: RequestRecord, waiting: Waiting | null, episodes: (Eta | null)[], context: EtaContext): Eta | null {
  if (record.state === 'AVAILABLE' && !record.removedAt) return null;
  if (record.mediaType === 'tv' && episodes.some((e) => e !== null)) {
    const open = episodes.filter((e): e is Eta => e !== null);
    const blind = open.find((e) => e.at === null);
    if (blind) return blind;
    const latest = open.reduce((a, b) => (Date.parse(b.at!) > Date.parse(a.at!) ? b : a));
    const high = open.reduce((m, e) => Math.max(m, Date.parse(e.high!)), 0);
    return { ...latest, high: iso(high) };
  }
  return itemEta(record, { state: record.stage, downloadId: record.downloadId }, waiting, context, record.arr?.releaseAt ?? null);
}
