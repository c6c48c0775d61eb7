import type { CallRecord } from '../services/http/api-client';
import type { EpisodeKey } from '../events';
import type { RequestRecord } from '../model';
import { episodeKey } from '../episode-numbers';
import { rank, type RequestState } from '../states';
import { episodeRanges } from '../tracker/timeline-text';
import { ActionError, refused, titleOf, type ActionDone, type ActionJob } from './common';
import type { ActionContext } from './context';
import { searchFor } from './search';

/** What a retry did: its words, and whether it left a private torrent in qBittorrent for a person. */
export interface Retried {
  detail: string;
  keptPrivate: boolean;
}

export const notImported = (e: { state: RequestState }) => e.state === 'FAILED' || rank(e.state) < rank('IMPORTING');

/**
 * Retry: remove the downloads that hold only what is retried from the arr's queue with blocklist
 * (and from the download client, unless it is a private torrent: then the torrent stays for a person
 * to remove once it has seeded), then search for exactly that: the movie, a whole season when every
 * tracked episode of it is retried, else those episodes. For a movie with a download not imported,
 * or episodes with one (or failed).
 */
export async function retryDownloads(ctx: ActionContext, record: RequestRecord, named: EpisodeKey[], calls: CallRecord[]): Promise<Retried> {
  const movie = record.mediaType === 'movie';
  const items: { key?: EpisodeKey; state: RequestRecord['state']; downloadId: string | null }[] = movie
    ? [{ state: record.stage, downloadId: record.downloadId }]
    : ctx
        .namedOrAll(record, named)
        .filter((e) => e.downloadId || e.state === 'FAILED')
        .map((e) => ({ key: e, ...e }));
  const imported = items.filter((i) => !notImported(i));
  if (movie && record.stage === 'AVAILABLE') throw new ActionError(`${titleOf(record)} is available: nothing to retry`, 400);
  if (named.length && imported.length) throw new ActionError(`${episodeRanges(imported.map((i) => i.key!))} already imported: nothing to retry`, 400);
  const retried = items.filter(notImported);
  if (!retried.length || (movie && !record.downloadId && record.stage !== 'FAILED'))
    throw new ActionError(`${titleOf(record)} has no download that is not imported yet: use search`, 400);
  const arr = await ctx.arrFor(record, calls);

  const downloadIds = [...new Set(retried.map((i) => i.downloadId).filter((d): d is string => !!d))];
  const queue = downloadIds.length ? await arr.client.queued(downloadIds, calls).catch(refused) : [];
  const retriedKeys = new Set(retried.map((i) => (i.key ? episodeKey(i.key) : '')));
  const fates = { remove: [] as string[], private: [] as string[], unasked: [] as string[] };
  for (const downloadId of downloadIds) {
    // A download others still wait on (a season pack's other episodes) is kept: only searched around.
    const dependents = movie ? [] : record.episodes.filter((e) => e.downloadId === downloadId && notImported(e));
    if (dependents.some((e) => !retriedKeys.has(episodeKey(e)))) continue;
    const item = queue.find((q) => q.downloadId?.toUpperCase() === downloadId);
    if (!item) continue;
    const fate = await ctx.dataFate(downloadId, calls);
    await arr.client.removeAndBlocklist(item.id, fate === 'remove', calls).catch(refused);
    fates[fate].push(item.title ?? downloadId);
  }
  const searched = await searchFor(ctx, record, arr, movie ? [] : retried.map((i) => i.key!), calls);
  const from = (titles: string[], kept: string) => (titles.length ? `removed ${titles.join(', ')} from ${arr.label}'s queue with blocklist${kept}` : '');
  const detail = [
    from(fates.remove, ''),
    from(fates.private, ', kept in qBittorrent (a private torrent, or its privacy unknown)'),
    from(fates.unasked, ', kept in the download client (no qBittorrent to ask whether it is private)'),
    searched,
  ]
    .filter(Boolean)
    .join('; then ');
  return { detail, keptPrivate: fates.private.length > 0 };
}

export async function retry(ctx: ActionContext, job: ActionJob): Promise<ActionDone> {
  const { detail, keptPrivate } = await retryDownloads(ctx, job.record, job.episodes, job.calls);
  return { detail, fields: keptPrivate ? { keptPrivate } : {} };
}
