import { z } from 'zod';
import type { CallRecord } from '../services/http/api-client';
import type { ArrClient, ArrRelease, SearchCommand } from '../services/arr/client';
import { findInJellyfin } from '../services/jellyfin/client';
import { QbitPoller } from '../services/qbittorrent/poller';
import { ACTIONS, EpisodeKeySchema, MAX_EPISODES, type ActionEvent, type EpisodeKey, type MediaEvent } from '../events';
import type { EpisodeRecord, Rejections, RequestRecord } from '../model';
import { RateLimit } from '../rate-limit';
import { episodeKey } from '../episode-numbers';
import { formatIssues, isPlainObject } from '../services/http/schema-helpers';
import { rank, type RequestState } from '../states';
import type { StatusStore } from '../store/store';
import { episodeRanges } from '../tracker/timeline-text';
import { track, type TrackOptions, type TrackResult } from '../tracker/track';
import { ActionError, arrFor, outcomeOf, recordAction, refused, titleOf as TITLE, type ActionOutcome, type ActionServices } from './common';

/**
 * A person's actions on what the tracker sees: retry a download (remove and blocklist it in the arr,
 * then search for exactly what it held), search, verify, correct the tracker by hand (mark available,
 * dismiss, forget), keep media whose deletion waits. The services are asked first; only what they
 * accepted is recorded, in the request's timeline with who asked and why, through the one path every
 * event takes. Deletions are passed on in deletion.ts, automatic retries made in auto-retry.ts.
 */

export const ActionInputSchema = z.object({
  requestId: z.coerce.number().int().positive(),
  action: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(', ')}` }),
  episodes: z.array(EpisodeKeySchema).max(MAX_EPISODES).optional(),
  reason: z.string().trim().max(1000).optional(),
  confirm: z.boolean().optional(),
});
export type ActionInput = z.infer<typeof ActionInputSchema>;

export interface ActionOptions {
  track: TrackOptions;
  now?: () => number;
}

/** What a retry did: its words, and whether it left a private torrent in qBittorrent for a person. */
export interface Retried {
  detail: string;
  keptPrivate: boolean;
}

/** A qBittorrent download id (a v1 or v2 info-hash); a usenet client's ids look nothing like it. */
const TORRENT_HASH = /^([0-9A-F]{40}|[0-9A-F]{64})$/;

/** The same action on the same request within this long is done once (a double click). */
export const REPEAT_MS = 60_000;
/** An explain runs the arr's interactive search, which asks every indexer: this many an hour, across requests. */
export const EXPLAINS_PER_HOUR = 6;

const notImported = (e: { state: RequestState }) => e.state === 'FAILED' || rank(e.state) < rank('IMPORTING');

export class MediaActions {
  private readonly recent = new Map<string, { at: number; done: Promise<ActionOutcome> }>();
  /** The arrs' ids of media known only by TMDB or TVDB id, by `<instance>:<id>`. */
  private readonly arrIds = new Map<string, number>();
  private readonly poller: QbitPoller | undefined;
  private readonly explains: RateLimit;

  constructor(
    private readonly store: StatusStore,
    private readonly services: ActionServices,
    private readonly options: ActionOptions,
  ) {
    this.poller = services.qbittorrent && new QbitPoller(services.qbittorrent);
    this.explains = new RateLimit(EXPLAINS_PER_HOUR, 3_600_000, () => this.now());
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Validate a message's payload as an action (zod's path and message when it is not one). */
  static parse(input: unknown): ActionInput {
    if (!isPlainObject(input))
      throw new ActionError(`expected object, received ${Buffer.isBuffer(input) ? 'Buffer' : Array.isArray(input) ? 'array' : typeof input}`, 400);
    const parsed = ActionInputSchema.safeParse(input);
    if (!parsed.success) throw new ActionError(formatIssues(parsed.error), 400);
    return parsed.data;
  }

  /** Perform an action for `by`; a repeat within REPEAT_MS gets the first one's outcome. */
  perform(input: ActionInput, by: string): Promise<ActionOutcome> {
    const key = `${input.requestId}:${input.action}`;
    const now = this.now();
    for (const [k, v] of this.recent) if (now - v.at >= REPEAT_MS) this.recent.delete(k);
    const repeat = this.recent.get(key);
    if (repeat) return repeat.done;
    const done = this.run(input, by);
    this.recent.set(key, { at: now, done });
    // A refused action may be tried again at once (nothing was done).
    done.catch(() => this.recent.delete(key));
    return done;
  }

  private async run(input: ActionInput, by: string): Promise<ActionOutcome> {
    const record = await this.store.read.getRequest(input.requestId);
    if (!record) throw new ActionError(`no request ${input.requestId}`, 404);
    const episodes = this.episodesOf(record, input.episodes);
    const calls: CallRecord[] = [];
    const news: TrackResult[] = [];
    const record1 = (action: ActionEvent['action'], detail: string, extra: Partial<ActionEvent> = {}) =>
      this.record(record, { action, by, reason: input.reason, episodes, detail, ...extra }, news);
    switch (input.action) {
      case 'retry': {
        const { detail, keptPrivate } = await this.retry(record, episodes, calls);
        await record1('retry', detail, keptPrivate ? { keptPrivate } : {});
        break;
      }
      case 'search':
        await record1('search', await this.search(record, episodes, calls));
        break;
      case 'verify':
        await record1('verify', await this.verify(record, calls, news));
        break;
      case 'explain': {
        const rejections = await this.explain(record, episodes, calls);
        const top = rejections.reasons.map((r) => `${r.reason} (${r.count})`).join('; ');
        await record1('explain', `${rejections.releases} releases found, ${rejections.approved} acceptable${top ? `; rejected for: ${top}` : ''}`, {
          rejections,
        });
        break;
      }
      case 'mark-available':
        if (record.state === 'AVAILABLE' || (episodes.length && episodes.every((e) => this.find(record, e)?.state === 'AVAILABLE')))
          throw new ActionError(`${TITLE(record)} is already available`, 400);
        await record1('mark-available', '');
        break;
      case 'dismiss':
        if (!record.attention) throw new ActionError(`${TITLE(record)} needs no attention: nothing to dismiss`, 400);
        await record1('dismiss', record.attention.reason);
        break;
      case 'keep':
        if (!record.deletion) throw new ActionError(`nothing of ${TITLE(record)} waits to be deleted: nothing to keep`, 400);
        await record1('keep', `${record.deletion.dryRun ? 'the dry run ' : ''}would have done: ${record.deletion.plan.join('; ')}`, {
          key: `removed-${record.deletion.removedAt}`,
        });
        break;
      case 'forget':
        if (input.confirm !== true) throw new ActionError('forget removes the request from the tracker: send confirm: true', 400);
        await this.store.forget(record.id);
        return { result: { ok: true, action: 'forget', request: null, calls }, news };
    }
    return outcomeOf(this.store, input.action, record.id, calls, news);
  }

  /** The episodes an action names, each tracked by the request; none named: the whole request. */
  private episodesOf(record: RequestRecord, named: EpisodeKey[] | undefined): EpisodeKey[] {
    if (!named?.length) return [];
    if (record.mediaType === 'movie') throw new ActionError('a movie has no episodes', 400);
    const unknown = named.filter((e) => !this.find(record, e));
    if (unknown.length) throw new ActionError(`${TITLE(record)} does not track ${episodeRanges(unknown)}`, 400);
    return named.map(({ season, episode }) => ({ season, episode }));
  }

  private find(record: RequestRecord, key: EpisodeKey): EpisodeRecord | undefined {
    return record.episodes.find((e) => e.season === key.season && e.episode === key.episode);
  }

  /** Apply the action's event (and any the action produced) through the tracker. */
  private record(record: RequestRecord, fields: Omit<ActionEvent, 'source' | 'at' | 'kind' | 'requestId'>, news: TrackResult[]): Promise<void> {
    return recordAction(this.store, this.options.track, record, fields, this.now(), news);
  }

  /** The arr that holds the request's media (4K requests in 4K instances), and the media's id there. */
  private async arrFor(record: RequestRecord, calls: CallRecord[]): Promise<{ client: ArrClient; id: number; label: string }> {
    const movie = record.mediaType === 'movie';
    const service = movie ? 'Radarr' : 'Sonarr';
    const arr = arrFor(this.services, record);
    if (arr?.id) return { client: arr.client, id: arr.id, label: service };
    // Not known from an event yet (nothing grabbed): asked by its TMDB or TVDB id, the answer kept.
    const mediaId = movie ? record.ids.tmdb : record.ids.tvdb;
    if (arr && mediaId) {
      const key = `${arr.instance.name}:${mediaId}`;
      let id = this.arrIds.get(key);
      if (id === undefined) {
        id = (await arr.client.presence(record.mediaType, mediaId, calls).catch(refused))?.id;
        if (id !== undefined) this.arrIds.set(key, id);
      }
      if (id !== undefined) return { client: arr.client, id, label: service };
      throw new ActionError(`${arr.instance.name} has no ${movie ? 'movie' : 'series'} for ${TITLE(record)} (${movie ? 'TMDB' : 'TVDB'} ${mediaId})`, 400);
    }
    throw new ActionError(`no ${record.is4k ? '4K ' : ''}${service} is configured for ${TITLE(record)} (or it does not know its ${service} id yet)`, 400);
  }

  /**
   * Whether the download client may lose a download's data with it: never a private torrent (a private
   * tracker counts leaving before the seeding obligation as a hit-and-run), nor one whose privacy
   * qBittorrent cannot tell (no metadata yet), nor a torrent when there is no qBittorrent to ask. A
   * usenet download may go.
   */
  private async dataFate(downloadId: string, calls: CallRecord[]): Promise<'remove' | 'private' | 'unasked'> {
    if (!TORRENT_HASH.test(downloadId)) return 'remove';
    const { qbittorrent } = this.services;
    if (!qbittorrent) return 'unasked';
    const isPrivate = await qbittorrent.isPrivate(downloadId).catch(refused);
    calls.push({ service: 'qBittorrent', method: 'GET', path: '/api/v2/torrents/properties', status: 200 });
    return isPrivate === false ? 'remove' : 'private';
  }

  /** Sonarr's episode ids for these keys (one call). */
  private async episodeIds(arr: { client: ArrClient; id: number }, keys: EpisodeKey[], calls: CallRecord[]): Promise<number[]> {
    const all = await arr.client.episodes(arr.id, calls).catch(refused);
    const wanted = new Set(keys.map(episodeKey));
    return all.filter((e) => wanted.has(episodeKey({ season: e.seasonNumber, episode: e.episodeNumber }))).map((e) => e.id);
  }

  /**
   * Retry: remove the downloads that hold only what is retried from the arr's queue with blocklist
   * (and from the download client, unless it is a private torrent: then the torrent stays for a person
   * to remove once it has seeded), then search for exactly that: the movie, a whole season when every
   * tracked episode of it is retried, else those episodes.
   */
  async retry(record: RequestRecord, named: EpisodeKey[], calls: CallRecord[]): Promise<Retried> {
    const movie = record.mediaType === 'movie';
    const items: { key?: EpisodeKey; state: RequestRecord['state']; downloadId: string | null }[] = movie
      ? [{ state: record.stage, downloadId: record.downloadId }]
      : (named.length ? named.map((k) => this.find(record, k)!) : record.episodes)
          .filter((e) => e.downloadId || e.state === 'FAILED')
          .map((e) => ({ key: e, ...e }));
    const imported = items.filter((i) => !notImported(i));
    if (movie && record.stage === 'AVAILABLE') throw new ActionError(`${TITLE(record)} is available: nothing to retry`, 400);
    if (named.length && imported.length) throw new ActionError(`${episodeRanges(imported.map((i) => i.key!))} already imported: nothing to retry`, 400);
    const retried = items.filter(notImported);
    if (!retried.length || (movie && !record.downloadId && record.stage !== 'FAILED'))
      throw new ActionError(`${TITLE(record)} has no download that is not imported yet: use search`, 400);
    const arr = await this.arrFor(record, calls);

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
      const fate = await this.dataFate(downloadId, calls);
      await arr.client.removeAndBlocklist(item.id, fate === 'remove', calls).catch(refused);
      fates[fate].push(item.title ?? downloadId);
    }
    const searched = await this.searchFor(record, arr, movie ? [] : retried.map((i) => i.key!), calls);
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

  /** Search: what has no download yet (an approved movie nothing grabbed, missing episodes). */
  private async search(record: RequestRecord, named: EpisodeKey[], calls: CallRecord[]): Promise<string> {
    if (record.mediaType === 'movie') {
      if (record.stage === 'AVAILABLE') throw new ActionError(`${TITLE(record)} is available: nothing to search for`, 400);
      if (record.downloadId && record.stage !== 'FAILED') throw new ActionError(`${TITLE(record)} is downloading: retry it instead`, 400);
      return this.searchFor(record, await this.arrFor(record, calls), [], calls);
    }
    const candidates = named.length ? named.map((k) => this.find(record, k)!) : record.episodes;
    const missing = candidates.filter((e) => e.state !== 'AVAILABLE' && (!e.downloadId || e.state === 'FAILED'));
    if (named.length && missing.length < named.length) throw new ActionError('some of those episodes are downloading or available: retry them instead', 400);
    if (record.episodes.length && !missing.length) throw new ActionError(`every episode of ${TITLE(record)} has a download: nothing to search for`, 400);
    return this.searchFor(record, await this.arrFor(record, calls), missing, calls);
  }

  /** The search command for a movie, for episodes (whole seasons as SeasonSearch), or for a show's missing episodes. */
  private async searchFor(record: RequestRecord, arr: { client: ArrClient; id: number }, keys: EpisodeKey[], calls: CallRecord[]): Promise<string> {
    const commands: SearchCommand[] = [];
    if (record.mediaType === 'movie') commands.push({ name: 'MoviesSearch', movieIds: [arr.id] });
    else if (!keys.length) commands.push({ name: 'MissingEpisodeSearch', seriesId: arr.id });
    else {
      const wanted = new Set(keys.map(episodeKey));
      const seasons = [...new Set(keys.map((k) => k.season))];
      const whole = seasons.filter((s) => record.episodes.filter((e) => e.season === s).every((e) => wanted.has(episodeKey(e))));
      for (const seasonNumber of whole) commands.push({ name: 'SeasonSearch', seriesId: arr.id, seasonNumber });
      const rest = keys.filter((k) => !whole.includes(k.season));
      if (rest.length) commands.push({ name: 'EpisodeSearch', episodeIds: await this.episodeIds(arr, rest, calls) });
    }
    for (const command of commands) await arr.client.command(command, calls).catch(refused);
    return commands.map((c) => c.name).join(', ');
  }

  /**
   * Explain: the arr's own release search for what waits (the movie, or one episode nothing grabbed),
   * and its top reasons for rejecting what it found. Slow and heavy on the indexers: limited.
   */
  private async explain(record: RequestRecord, named: EpisodeKey[], calls: CallRecord[]): Promise<Rejections> {
    const movie = record.mediaType === 'movie';
    const waits = (e: { state: RequestState; downloadId: string | null }) => e.state === 'FAILED' || (e.state === 'APPROVED' && !e.downloadId);
    const episode = movie ? undefined : (named.length ? named.map((k) => this.find(record, k)!) : record.episodes).find(waits);
    if (movie ? !waits({ state: record.stage, downloadId: record.downloadId }) : !episode)
      throw new ActionError(`nothing of ${TITLE(record)} waits for a release: explain is for what nothing was grabbed for`, 400);
    const arr = await this.arrFor(record, calls);
    const [episodeId] = episode ? await this.episodeIds(arr, [episode], calls) : [];
    if (episode && episodeId === undefined) throw new ActionError(`Sonarr does not list ${episodeKey(episode)} of ${TITLE(record)}`, 400);
    // Counted only for searches about to be made: a refusal before costs the indexers nothing.
    if (!this.explains.take())
      throw new ActionError(`explain asks every indexer: at most ${EXPLAINS_PER_HOUR} an hour; try again in ${this.explains.retryAfterSeconds()} s`, 429);
    const releases = await arr.client.releases(movie ? { movieId: arr.id } : { episodeId: episodeId! }, calls).catch(refused);
    return rejectionsOf(releases, new Date(this.now()).toISOString());
  }

  /** Verify: ask qBittorrent about the request's downloads and Jellyfin whether it plays, and apply what they say. */
  private async verify(record: RequestRecord, calls: CallRecord[], news: TrackResult[]): Promise<string> {
    const { jellyfin } = this.services;
    if (!this.poller && !jellyfin) throw new ActionError('neither qBittorrent nor Jellyfin is configured: nothing to verify with', 400);
    const at = new Date(this.now()).toISOString();
    const events: MediaEvent[] = [];
    const said: string[] = [];
    // The request's downloads not complete yet, failed ones included, as a "verify now" poll asks for them (season packs with their files).
    const downloads = await this.store.read.activeDownloads(record.id);
    if (this.poller && downloads.length) {
      const progress = await this.poller.poll(downloads, at).catch(refused);
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
      const result = await track(this.store, event, this.options.track);
      if (result.notify) news.push(result);
    }
    return said.join('; ');
  }
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
