import type { CallRecord } from '../services/http/api-client';
import type { RequestRecord } from '../model';
import type { Torrent } from '../services/qbittorrent/torrents';
import type { StatusStore } from '../store/store';
import { RateLimit } from '../rate-limit';
import type { TrackOptions, TrackResult } from '../tracker/track';
import type { MediaActions } from './actions';
import { ActionError, outcomeOf, recordAction, refused, type ActionOutcome, type ActionServices } from './common';
import { autoRetriedDownload, autoRetryKey, dryRunKey, recordedActions } from './keys';
import { retryDownloads } from './retry';

/**
 * The automatic retry (opt-in), on strikes as Decluttarr and Cleanuparr count them: on each check,
 * qBittorrent is asked about every download in progress; one stalled (no seeds), still fetching its
 * metadata, or in error, that made no progress since the last check gets a strike; any progress, or a
 * healthy state, resets its strikes. At `strikes` in a row it is retried (the retry of a person:
 * blocklisted, searched again, a private torrent kept in qBittorrent), at most `perDownload` times per
 * download, never once a person dismissed the request, and at most `dailyCap` times a day across the
 * household. In a dry run it says what it would retry, once per download. Strikes show on the download.
 */

export interface AutoRetryOptions {
  /** Checks in a row without progress before a download is retried. */
  strikes: number;
  /** Retries per download at most. */
  perDownload: number;
  /** Retries a day across the household at most. */
  dailyCap: number;
  /** Only say what would be retried. */
  dryRun: boolean;
}

export const DEFAULT_AUTO_RETRY: AutoRetryOptions = { strikes: 3, perDownload: 2, dailyCap: 10, dryRun: true };

/** qBittorrent states in which a download makes no progress on its own. */
const STALLED = new Set(['stalledDL', 'metaDL', 'forcedMetaDL', 'error', 'missingFiles']);
const DAY_MS = 86_400_000;

export class AutoRetry {
  /** Each download's progress at the last check (the baseline "no progress" is measured against). */
  private readonly seen = new Map<string, number>();
  private readonly today: RateLimit;
  /** Each check's number: what makes two strikes of one download at one instant two facts. */
  private checks = 0;

  constructor(
    private readonly store: StatusStore,
    private readonly actions: MediaActions,
    private readonly services: ActionServices,
    private readonly options: AutoRetryOptions,
    private readonly track: TrackOptions,
    private readonly now: () => number,
  ) {
    this.today = new RateLimit(options.dailyCap, DAY_MS, now);
  }

  /**
   * One check: strikes counted, and the downloads at `strikes` retried (or, in a dry run, listed). The
   * retries' own news is in their outcomes; `news` is the rest.
   */
  async check(): Promise<{ outcomes: ActionOutcome[]; news: TrackResult[]; errors: Error[] }> {
    const news: TrackResult[] = [];
    const outcomes: ActionOutcome[] = [];
    const errors: Error[] = [];
    this.checks++;
    const { qbittorrent } = this.services;
    const active = await this.store.read.activeDownloads();
    if (!qbittorrent || !active.length) return { outcomes, news, errors };
    const torrents = new Map((await qbittorrent.torrents(active.map((d) => d.id)).catch(refused)).map((t) => [t.hash.toUpperCase(), t]));
    for (const id of this.seen.keys()) if (!torrents.has(id)) this.seen.delete(id);
    // The requests that hold them, read once for the whole check.
    const holders = await this.store.read.downloadHolders([...torrents.keys()]);
    const records = new Map((await this.store.read.requestsById([...new Set([...holders.values()].flat())])).map((r) => [r.id, r]));
    for (const [id, torrent] of torrents) {
      const record = records.get(holders.get(id)?.[0] ?? 0);
      if (!record) continue;
      try {
        const outcome = await this.strike(id, torrent, record, news);
        if (outcome) outcomes.push(outcome);
      } catch (err) {
        // One download's trouble (no arr for it, a refusal) never stops the others.
        if (!(err instanceof ActionError)) throw err;
        errors.push(err);
      }
    }
    return { outcomes, news, errors };
  }

  private async strike(id: string, torrent: Torrent, record: RequestRecord, news: TrackResult[]): Promise<ActionOutcome | undefined> {
    const before = this.seen.get(id);
    this.seen.set(id, torrent.progress);
    const stalled = STALLED.has(torrent.state) && (before === undefined || torrent.progress <= before);
    const download = record.downloads.find((d) => d.id === id);
    if (!download) return undefined;
    const strikes = stalled ? Math.min(download.strikes + 1, this.options.strikes) : 0;
    if (strikes !== download.strikes) {
      const detail = stalled ? `${strikes} of ${this.options.strikes}: ${torrent.state}, no progress` : 'it moves again';
      await recordAction(
        this.store,
        this.track,
        record,
        { action: 'strike', by: 'auto', episodes: [], detail, downloadId: id, strikes, key: `${id}:${strikes}:${this.now()}:${this.checks}` },
        this.now(),
        news,
      );
    }
    if (strikes < this.options.strikes) return undefined;
    // Asked by action: the request's strikes (one per check) are many and not wanted here.
    if ((await recordedActions(this.store, record.id, 'dismiss')).length) return undefined;
    const done = (await recordedActions(this.store, record.id, 'retry')).filter((fact) => autoRetriedDownload(fact.key) === id).length;
    if (done >= this.options.perDownload) return undefined;
    const reason = `auto: ${strikes} checks in a row without progress (${torrent.state})`;
    if (this.options.dryRun) {
      await recordAction(
        this.store,
        this.track,
        record,
        { action: 'retry-dry-run', by: 'auto', reason, episodes: [], detail: `nothing done: it would retry ${torrent.name ?? id}`, key: dryRunKey(id) },
        this.now(),
        news,
      );
      return undefined;
    }
    if (!this.today.take()) return undefined;
    const calls: CallRecord[] = [];
    const episodes = record.episodes.filter((e) => e.downloadId === id).map(({ season, episode }) => ({ season, episode }));
    const retried = await retryDownloads(this.actions.context, record, episodes, calls);
    const own: TrackResult[] = [];
    await recordAction(
      this.store,
      this.track,
      record,
      {
        action: 'retry',
        by: 'auto',
        reason,
        episodes,
        detail: retried.detail,
        key: autoRetryKey(id, done + 1),
        ...(retried.keptPrivate ? { keptPrivate: true } : {}),
      },
      this.now(),
      own,
    );
    return outcomeOf(this.store, 'retry', record.id, calls, own, retried.detail);
  }
}
