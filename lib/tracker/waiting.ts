import type { DownloadRecord, EpisodeRecord, RequestRecord, Waiting } from '../model';
import { rank, type RequestState } from '../states';
import { episodeKey } from '../episode-numbers';
import { humanDuration } from './stuck';
import { arrEpisode, downloadOf } from './lookups';
import { dayText, timeText } from './when-text';

/**
 * Why a request or an episode is not watchable yet, from what the tracker holds: its stage, its
 * attention, its downloads as the client last described them, and the arr's record read by the sync
 * (release dates, monitoring, searches) or by an explain (rejected releases). A pure function of the
 * record and the time: nothing is asked of a service here. The codes are the README's list.
 */

export interface WaitingContext {
  now: Date;
  /** An IANA time zone for dates in the words ("airs Fri 12 Dec"); undefined: the server's. */
  timeZone?: string;
}

type Item = { state: RequestState; downloadId: string | null };

const ARR: Record<RequestRecord['mediaType'], string> = { movie: 'Radarr', tv: 'Sonarr' };

/** Where a download stands in the client: qBittorrent's own state names (and the arrs' queue statuses). */
function clientWaiting(download: DownloadRecord, record: RequestRecord, context: WaitingContext): Waiting {
  const since = record.stateChangedAt;
  const state = download.clientState ?? '';
  const percent = `${Math.floor(download.progress * 100)} %`;
  if (/metaDL$/i.test(state)) return { code: 'fetching-metadata', text: 'the download client is fetching the torrent’s metadata', since };
  if (/^queued|queued$|^checking/i.test(state)) return { code: 'queued-in-client', text: `queued in the download client (${percent})`, since };
  if (/^(paused|stopped)DL$|paused$/i.test(state))
    return { code: 'paused', text: `paused in the download client at ${percent}`, since, next: { action: 'open-client', text: 'resume it in qBittorrent' } };
  // An arr's queue says "warning" for a stalled torrent, a magnet without DHT, an error or missing files alike.
  if (/^(Radarr|Sonarr) warning$/.test(state))
    return {
      code: 'unknown',
      text: `${state.split(' ')[0]}'s queue warns about it at ${percent}`,
      since,
      next: { action: 'open-arr', text: `see why in ${state.split(' ')[0]}'s Activity > Queue` },
    };
  if (state === 'stalledDL') {
    const seeds = download.seeds === null ? '' : `${download.seeds} ${download.seeds === 1 ? 'seed' : 'seeds'}, `;
    const active = download.activeAt ? `last activity ${timeText(download.activeAt, context.timeZone)}` : 'no recent activity';
    return {
      code: 'stalled',
      text: `stalled at ${percent}: ${seeds}${active}`,
      since: download.activeAt ?? record.progressAt,
      next: { action: 'retry', text: 'retry: another release' },
    };
  }
  if (download.state === 'GRABBING' && !download.clientState) return { code: 'queued-in-client', text: 'sent to the download client, not started yet', since };
  const speed = download.speed ? `, ${(download.speed / 1048576).toFixed(1)} MB/s` : '';
  return { code: 'downloading', text: `downloading, ${percent}${speed}`, since };
}

/** Before a grab: what the arr's record says (not monitored, not released, searched without a result, releases rejected). */
function beforeGrab(record: RequestRecord, key: string | undefined, context: WaitingContext): Waiting {
  const arr = ARR[record.mediaType];
  const since = record.stateChangedAt;
  const status = record.arr;
  if (!status) {
    return {
      code: 'unknown',
      text: `approved; ${arr} has not grabbed a release and its record has not been read yet (set up media-sync with ${arr})`,
      since,
      next: { action: 'search', text: `ask ${arr} to search` },
    };
  }
  if (!status.present)
    return {
      code: 'not-in-arr',
      text: `${arr} (${status.instance}) has no such ${record.mediaType === 'movie' ? 'movie' : 'show'}: check the server Jellyseerr sends it to`,
      since,
      next: { action: 'open-arr', text: `add it in ${arr}` },
    };
  if (!status.monitored)
    return { code: 'not-monitored', text: `not monitored in ${arr}: it will not search`, since, next: { action: 'open-arr', text: `monitor it in ${arr}` } };
  const episode = key === undefined ? undefined : arrEpisode(record, key);
  const releaseAt = episode ? episode.airDate : status.releaseAt;
  const released = episode ? !!episode.airDate && Date.parse(episode.airDate) <= context.now.getTime() : status.released;
  if (!released) {
    const what =
      episode || status.releaseKind === 'air' ? 'airs' : status.releaseKind === 'cinemas' ? 'in cinemas' : `${status.releaseKind ?? ''} release`.trim();
    const text = releaseAt ? `not released yet: ${what} ${dayText(releaseAt, context.timeZone)}` : `not released yet: ${arr} has no release date`;
    return { code: 'not-released', text, since };
  }
  const rejections = record.rejections;
  const lastSearchAt = episode ? episode.lastSearchAt : status.lastSearchAt;
  if (rejections && rejections.approved === 0 && rejections.releases > 0 && (!lastSearchAt || rejections.at >= lastSearchAt)) {
    const top = rejections.reasons
      .slice(0, 3)
      .map((r) => `${r.reason} (${r.count})`)
      .join('; ');
    return {
      code: 'releases-rejected',
      text: `${rejections.releases} releases found, all rejected: ${top}`,
      since: rejections.at,
      next: { action: 'open-arr', text: `change the quality profile or restrictions in ${arr}` },
    };
  }
  const searched = lastSearchAt
    ? `searched ${status.searches > 1 ? `${status.searches} times, ` : ''}last ${timeText(lastSearchAt, context.timeZone)}`
    : `${arr} has not searched yet`;
  return { code: 'no-release-found', text: `no release found: ${searched}`, since, next: { action: 'explain', text: 'ask why nothing was taken' } };
}

/** The waiting reason of one item (a movie, or an episode given its key), attention aside. */
function itemWaiting(record: RequestRecord, item: Item, key: string | undefined, context: WaitingContext): Waiting | null {
  const since = record.stateChangedAt;
  switch (item.state) {
    case 'AVAILABLE':
      return null;
    case 'FAILED':
      return { code: 'download-failed', text: 'the download failed', since, next: { action: 'retry', text: 'retry: another release' } };
    case 'REQUESTED':
      return {
        code: 'pending-approval',
        text: 'waiting for approval in Jellyseerr',
        since: record.createdAt,
        next: { action: 'approve', text: 'approve it in Jellyseerr' },
      };
    case 'APPROVED':
      return beforeGrab(record, key, context);
    case 'GRABBING':
    case 'DOWNLOADING': {
      const download = downloadOf(record, item.downloadId);
      if (download) return clientWaiting(download, record, context);
      return { code: 'queued-in-client', text: 'sent to the download client, not started yet', since };
    }
    case 'DOWNLOADED':
      return { code: 'importing', text: `downloaded; waiting for ${ARR[record.mediaType]} to import it`, since };
    case 'IMPORTING':
      return record.isAnime
        ? { code: 'waiting-for-shoko', text: 'imported; waiting for Shoko to find and match the file', since }
        : { code: 'waiting-for-jellyfin', text: 'imported; waiting for Jellyfin to scan it', since, next: { action: 'verify', text: 'ask Jellyfin now' } };
    case 'ANIME_MATCHING':
      return {
        code: 'waiting-for-jellyfin',
        text: 'matched in Shoko; waiting for Jellyfin to show it',
        since,
        next: { action: 'verify', text: 'ask Jellyfin now' },
      };
  }
}

/** What a request's attention says instead: it needs a human for this reason. */
export function attentionWaiting(record: RequestRecord): Waiting | null {
  const attention = record.attention;
  if (!attention) return null;
  const arr = ARR[record.mediaType];
  const since = attention.since;
  switch (attention.kind) {
    case 'declined':
      return { code: 'declined', text: attention.reason || 'declined in Jellyseerr', since };
    case 'private-torrent':
      return {
        code: 'private-torrent',
        text: attention.reason,
        since,
        next: { action: 'open-client', text: 'remove it in qBittorrent once its seeding is done' },
      };
    case 'needs-link':
      return { code: 'needs-link', text: attention.reason, since, next: { action: 'open-shoko', text: 'link the file in Shoko' } };
    case 'import-blocked':
    case 'manual-interaction':
      return {
        code: 'import-blocked',
        text: `${arr}: ${attention.reason}`,
        since,
        next: { action: 'open-arr', text: `import it by hand in ${arr} (Activity > Queue)` },
      };
    case 'download-failed':
    case 'failed':
      return { code: 'download-failed', text: attention.reason, since, next: { action: 'retry', text: 'retry: another release' } };
    default:
      return null;
  }
}

/**
 * An episode's reason: the request's attention (`attention`: attentionWaiting of the request, worked
 * out once for all its episodes) when it holds this episode back, else its own.
 */
export function episodeWaiting(record: RequestRecord, episode: EpisodeRecord, context: WaitingContext, attention: Waiting | null): Waiting | null {
  if (episode.state === 'AVAILABLE') return null;
  if (episode.removedAt) return { code: 'deleted', text: 'deleted', since: episode.removedAt };
  if (attention && concerns(attention.code, episode)) return attention;
  return itemWaiting(record, episode, episodeKey(episode), context);
}

/** Whether the request's attention holds this episode back: a link for a file Shoko has not matched, else what is not imported yet. */
function concerns(code: Waiting['code'], episode: EpisodeRecord): boolean {
  if (code === 'needs-link') return (episode.state === 'ANIME_MATCHING' || episode.state === 'IMPORTING') && episode.shokoFileId === null;
  if (code === 'declined') return true;
  return episode.state === 'FAILED' || rank(episode.state) < rank('IMPORTING');
}

/**
 * A request's reason: nothing once it is AVAILABLE; its attention if it needs a human; a pending
 * deletion; then its own (a movie) or its least advanced episode's (a show). A stuck request says so.
 */
export function requestWaiting(record: RequestRecord, context: WaitingContext): Waiting | null {
  if (record.state === 'AVAILABLE' && !record.removedAt) return null;
  if (record.removedAt) {
    const due = record.deletion ? `; deletion due ${timeText(record.deletion.dueAt, context.timeZone)}` : '';
    return {
      code: 'deleted',
      text: `deleted${due}`,
      since: record.removedAt,
      ...(record.deletion ? { next: { action: 'keep' as const, text: 'keep it' } } : {}),
    };
  }
  const waiting = attentionWaiting(record) ?? ownWaiting(record, context);
  if (!waiting || record.attention?.kind !== 'stuck') return waiting;
  return { ...waiting, text: `${waiting.text} (no progress for ${humanDuration(context.now.getTime() - Date.parse(record.progressAt))})` };
}

function ownWaiting(record: RequestRecord, context: WaitingContext): Waiting | null {
  if (record.mediaType === 'movie' || !record.episodes.length) {
    const waiting = itemWaiting(record, { state: record.stage, downloadId: record.downloadId }, undefined, context);
    if (waiting?.code === 'unknown' && record.mediaType === 'tv' && record.upcoming.length) return upcomingWaiting(record, context);
    return waiting;
  }
  const slowest = record.episodes.find((e) => e.state === record.state && !e.removedAt);
  if (!slowest) return null;
  const waiting = itemWaiting(record, slowest, episodeKey(slowest), context);
  return waiting && { ...waiting, text: `${episodeKey(slowest)}: ${waiting.text}` };
}

/** A show whose requested episodes have not aired yet. */
function upcomingWaiting(record: RequestRecord, context: WaitingContext): Waiting {
  const next = record.upcoming.find((u) => u.airDate !== null);
  const text = next?.airDate ? `not released yet: ${episodeKey(next)} airs ${dayText(next.airDate, context.timeZone)}` : 'not released yet: no air date';
  return { code: 'not-released', text, since: record.stateChangedAt };
}
