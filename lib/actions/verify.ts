import { findInJellyfin } from '../services/jellyfin/client';
import type { MediaEvent } from '../events';
import { track } from '../tracker/track';
import { ActionError, refused, type ActionDone, type ActionJob } from './common';
import type { ActionContext } from './context';

/** Verify: ask qBittorrent about the request's downloads and Jellyfin whether it plays, and apply what they say. */
export async function verify(ctx: ActionContext, { record, calls, news }: ActionJob): Promise<ActionDone> {
  const { jellyfin } = ctx.services;
  if (!ctx.poller && !jellyfin) throw new ActionError('neither qBittorrent nor Jellyfin is configured: nothing to verify with', 400);
  const at = new Date(ctx.now()).toISOString();
  const events: MediaEvent[] = [];
  const said: string[] = [];
  // The request's downloads not complete yet, failed ones included, as a "verify now" poll asks for them.
  const downloads = await ctx.store.read.activeDownloads(record.id);
  if (ctx.poller && downloads.length) {
    const progress = await ctx.poller.poll(downloads, at).catch(refused);
    calls.push({ service: 'qBittorrent', method: 'GET', path: '/api/v2/torrents/info', status: 200 });
    events.push(...progress);
    said.push(`qBittorrent knows ${progress.length} of ${downloads.length} downloads`);
  }
  if (jellyfin) {
    const found = await findInJellyfin(jellyfin, record, at).catch(refused);
    calls.push({ service: 'Jellyfin', method: 'GET', path: '/Items', status: 200 });
    if (found) events.push(found);
    said.push(found ? 'Jellyfin plays it' : 'not in Jellyfin yet');
  }
  for (const event of events) {
    const result = await track(ctx.store, event, ctx.options.track);
    if (result.notify) news.push(result);
  }
  return { detail: said.join('; ') };
}
