import type { CallRecord } from '../services/http/api-client';
import type { SearchCommand } from '../services/arr/client';
import type { EpisodeKey } from '../events';
import type { RequestRecord } from '../model';
import { episodeKey } from '../episode-numbers';
import { ActionError, refused, titleOf, type ActionDone, type ActionJob } from './common';
import type { ActionContext, ArrTarget } from './context';

/** The search command for a movie, for episodes (whole seasons as SeasonSearch), or for a show's missing episodes; their names. */
export async function searchFor(ctx: ActionContext, record: RequestRecord, arr: ArrTarget, keys: EpisodeKey[], calls: CallRecord[]): Promise<string> {
  const commands: SearchCommand[] = [];
  if (record.mediaType === 'movie') commands.push({ name: 'MoviesSearch', movieIds: [arr.id] });
  else if (!keys.length) commands.push({ name: 'MissingEpisodeSearch', seriesId: arr.id });
  else {
    const wanted = new Set(keys.map(episodeKey));
    const seasons = [...new Set(keys.map((k) => k.season))];
    const whole = seasons.filter((s) => record.episodes.filter((e) => e.season === s).every((e) => wanted.has(episodeKey(e))));
    for (const seasonNumber of whole) commands.push({ name: 'SeasonSearch', seriesId: arr.id, seasonNumber });
    const rest = keys.filter((k) => !whole.includes(k.season));
    if (rest.length) commands.push({ name: 'EpisodeSearch', episodeIds: await ctx.episodeIds(arr, rest, calls) });
  }
  for (const command of commands) await arr.client.command(command, calls).catch(refused);
  return commands.map((c) => c.name).join(', ');
}

/** Search: for what has no download yet (an approved movie nothing grabbed, missing episodes). */
export async function search(ctx: ActionContext, { record, episodes: named, calls }: ActionJob): Promise<ActionDone> {
  if (record.mediaType === 'movie') {
    if (record.stage === 'AVAILABLE') throw new ActionError(`${titleOf(record)} is available: nothing to search for`, 400);
    if (record.downloadId && record.stage !== 'FAILED') throw new ActionError(`${titleOf(record)} is downloading: retry it instead`, 400);
    return { detail: await searchFor(ctx, record, await ctx.arrFor(record, calls), [], calls) };
  }
  const missing = ctx.namedOrAll(record, named).filter((e) => e.state !== 'AVAILABLE' && (!e.downloadId || e.state === 'FAILED'));
  if (named.length && missing.length < named.length) throw new ActionError('some of those episodes are downloading or available: retry them instead', 400);
  if (record.episodes.length && !missing.length) throw new ActionError(`every episode of ${titleOf(record)} has a download: nothing to search for`, 400);
  return { detail: await searchFor(ctx, record, await ctx.arrFor(record, calls), missing, calls) };
}
