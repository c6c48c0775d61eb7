import type { CallRecord } from '../services/http/api-client';
import type { ArrClient } from '../services/arr/client';
import type { ActionEvent, EpisodeKey } from '../events';
import type { EpisodeRecord, RequestRecord } from '../model';
import { RateLimit } from '../rate-limit';
import { QbitPoller } from '../services/qbittorrent/poller';
import { episodeKey } from '../episode-numbers';
import type { StatusStore } from '../store/store';
import type { TrackOptions, TrackResult } from '../tracker/track';
import { ActionError, arrFor, recordAction, refused, titleOf, type ActionServices } from './common';

export interface ActionOptions {
  track: TrackOptions;
  now?: () => number;
}

/** The arr that holds a request's media, and the media's id there. */
export interface ArrTarget {
  client: ArrClient;
  id: number;
  /** Radarr or Sonarr, as a result says it. */
  label: string;
}

/** An explain runs the arr's interactive search, which asks every indexer: this many an hour, across requests. */
export const EXPLAINS_PER_HOUR = 6;

/** A qBittorrent download id (a v1 or v2 info-hash); a usenet client's ids look nothing like it. */
const TORRENT_HASH = /^([0-9A-F]{40}|[0-9A-F]{64})$/;

/** What the actions share: the store, the services, the clock, and what they learn from the services on the way. */
export class ActionContext {
  /** The arrs' ids of media known only by TMDB or TVDB id, by `<instance>:<id>`. */
  private readonly arrIds = new Map<string, number>();
  readonly explains: RateLimit;
  /** qBittorrent's progress, read as a poll reads it (season packs with their files). */
  readonly poller: QbitPoller | undefined;

  constructor(
    readonly store: StatusStore,
    readonly services: ActionServices,
    readonly options: ActionOptions,
  ) {
    this.explains = new RateLimit(EXPLAINS_PER_HOUR, 3_600_000, () => this.now());
    this.poller = services.qbittorrent && new QbitPoller(services.qbittorrent);
  }

  now(): number {
    return this.options.now?.() ?? Date.now();
  }

  find(record: RequestRecord, key: EpisodeKey): EpisodeRecord | undefined {
    return record.episodes.find((e) => e.season === key.season && e.episode === key.episode);
  }

  /** The episodes named, as tracked (each checked to be tracked when the action began), else all of them. */
  namedOrAll(record: RequestRecord, named: EpisodeKey[]): EpisodeRecord[] {
    return named.length ? named.map((k) => this.find(record, k)!) : record.episodes;
  }

  /** Apply an action's event through the tracker (the one path every event takes); its news, if any, into `news`. */
  record(record: RequestRecord, fields: Omit<ActionEvent, 'source' | 'at' | 'kind' | 'requestId'>, news: TrackResult[]): Promise<void> {
    return recordAction(this.store, this.options.track, record, fields, this.now(), news);
  }

  /** The arr that holds the request's media (4K requests in 4K instances), and the media's id there. */
  async arrFor(record: RequestRecord, calls: CallRecord[]): Promise<ArrTarget> {
    const movie = record.mediaType === 'movie';
    const label = movie ? 'Radarr' : 'Sonarr';
    const arr = arrFor(this.services, record);
    if (arr?.id) return { client: arr.client, id: arr.id, label };
    // Not known from an event yet (nothing grabbed): asked by its TMDB or TVDB id, the answer kept.
    const mediaId = movie ? record.ids.tmdb : record.ids.tvdb;
    if (arr && mediaId) {
      const key = `${arr.instance.name}:${mediaId}`;
      let id = this.arrIds.get(key);
      if (id === undefined) {
        id = (await arr.client.presence(record.mediaType, mediaId, calls).catch(refused))?.id;
        if (id !== undefined) this.arrIds.set(key, id);
      }
      if (id !== undefined) return { client: arr.client, id, label };
      throw new ActionError(`${arr.instance.name} has no ${movie ? 'movie' : 'series'} for ${titleOf(record)} (${movie ? 'TMDB' : 'TVDB'} ${mediaId})`, 400);
    }
    throw new ActionError(`no ${record.is4k ? '4K ' : ''}${label} is configured for ${titleOf(record)} (or it does not know its ${label} id yet)`, 400);
  }

  /** Sonarr's episode ids for these keys (one call). */
  async episodeIds(arr: ArrTarget, keys: EpisodeKey[], calls: CallRecord[]): Promise<number[]> {
    const all = await arr.client.episodes(arr.id, calls).catch(refused);
    const wanted = new Set(keys.map(episodeKey));
    return all.filter((e) => wanted.has(episodeKey({ season: e.seasonNumber, episode: e.episodeNumber }))).map((e) => e.id);
  }

  /**
   * Whether the download client may lose a download's data with it: never a private torrent (a private
   * tracker counts leaving before the seeding obligation as a hit-and-run), nor one whose privacy
   * qBittorrent cannot tell (no metadata yet), nor a torrent when there is no qBittorrent to ask. A
   * usenet download may go.
   */
  async dataFate(downloadId: string, calls: CallRecord[]): Promise<'remove' | 'private' | 'unasked'> {
    if (!TORRENT_HASH.test(downloadId)) return 'remove';
    const { qbittorrent } = this.services;
    if (!qbittorrent) return 'unasked';
    const isPrivate = await qbittorrent.isPrivate(downloadId).catch(refused);
    calls.push({ service: 'qBittorrent', method: 'GET', path: '/api/v2/torrents/properties', status: 200 });
    return isPrivate === false ? 'remove' : 'private';
  }
}
