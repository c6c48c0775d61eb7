import type { ArrRelease } from '../services/arr/client';
import type { Rejections } from '../model';
import { episodeKey } from '../episode-numbers';
import type { RequestState } from '../states';
import { ActionError, refused, titleOf, type ActionDone, type ActionJob } from './common';
import { EXPLAINS_PER_HOUR, type ActionContext } from './context';

/**
 * Explain: the arr's own release search for what waits (the movie, or one episode nothing grabbed),
 * and its top reasons for rejecting what it found. Slow and heavy on the indexers: limited.
 */
export async function explain(ctx: ActionContext, { record, episodes: named, calls }: ActionJob): Promise<ActionDone> {
  const movie = record.mediaType === 'movie';
  const waits = (e: { state: RequestState; downloadId: string | null }) => e.state === 'FAILED' || (e.state === 'APPROVED' && !e.downloadId);
  const episode = movie ? undefined : ctx.namedOrAll(record, named).find(waits);
  if (movie ? !waits({ state: record.stage, downloadId: record.downloadId }) : !episode)
    throw new ActionError(`nothing of ${titleOf(record)} waits for a release: explain is for what nothing was grabbed for`, 400);
  const arr = await ctx.arrFor(record, calls);
  const [episodeId] = episode ? await ctx.episodeIds(arr, [episode], calls) : [];
  if (episode && episodeId === undefined) throw new ActionError(`Sonarr does not list ${episodeKey(episode)} of ${titleOf(record)}`, 400);
  // Counted only for searches about to be made: a refusal before costs the indexers nothing.
  if (!ctx.explains.take())
    throw new ActionError(`explain asks every indexer: at most ${EXPLAINS_PER_HOUR} an hour; try again in ${ctx.explains.retryAfterSeconds()} s`, 429);
  const releases = await arr.client.releases(movie ? { movieId: arr.id } : { episodeId: episodeId! }, calls).catch(refused);
  const rejections = rejectionsOf(releases, new Date(ctx.now()).toISOString());
  const top = rejections.reasons.map((r) => `${r.reason} (${r.count})`).join('; ');
  return { detail: `${rejections.releases} releases found, ${rejections.approved} acceptable${top ? `; rejected for: ${top}` : ''}`, fields: { rejections } };
}

/** The most common reasons an arr rejected the releases of a search, most common first. */
export function rejectionsOf(releases: ArrRelease[], at: string): Rejections {
  const counts = new Map<string, number>();
  for (const release of releases)
    if (release.rejected) for (const reason of new Set(release.rejections ?? [])) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  const reasons = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([reason, count]) => ({ reason: reason.slice(0, 500), count }));
  return { at, releases: releases.length, approved: releases.filter((r) => !r.rejected).length, reasons };
}
