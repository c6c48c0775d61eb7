import { type CallRecord } from '../services/http/api-client';
import { findInJellyfin } from '../services/jellyfin/client';
import type { PendingDeletion } from '../events';
import type { RequestRecord } from '../model';
import { stageOf } from '../services/qbittorrent/torrents';
import { rank } from '../states';
import type { StatusStore } from '../store/store';
import type { TrackOptions, TrackResult } from '../tracker/track';
import { arrFor, outcomeOf, recordAction, refused, type ActionOutcome, type ActionServices } from './common';
import { recordedActions, removalKey } from './keys';
import { ServiceError } from '../services/http/errors';

/**
 * Deletion sync (opt-in): once every item of a request was deleted (in an arr, Jellyfin or Shoko), the
 * deletion may be passed on: its media forgotten in Jellyseerr (so it can be requested again), its
 * torrents removed from qBittorrent. A removal is a fact to verify, not a command, so:
 * - it is planned, shown on the request with what it will delete where and when, and done only after a
 *   grace period, during which a person may keep the media; a new grab, an import, the media added or
 *   playing again cancel it;
 * - when it is due, the source of truth is asked first: the arr must no longer have the media (or hold
 *   it unmonitored with no file), and Jellyfin must no longer have it; otherwise nothing is deleted
 *   and the removal is undone;
 * - a torrent is removed only when it is complete and imported, held by no other tracked request, and
 *   not private (a private tracker's seeding obligation is a person's to end);
 * - in a dry run (the default) it only says what it would have deleted.
 * Nothing is ever deleted in Radarr, Sonarr or Jellyfin.
 */

export interface DeletionOptions {
  /** Forget the media in Jellyseerr. */
  clearJellyseerr: boolean;
  /** Remove its torrents from qBittorrent (files kept unless `deleteFiles`). */
  removeTorrents: boolean;
  deleteFiles: boolean;
  /** How long a removal waits before its deletion is passed on. */
  graceMs: number;
  /** Only say what would be deleted. */
  dryRun: boolean;
}

/** DELETION_GRACE_HOURS when unset. */
export const DEFAULT_GRACE_HOURS = 24;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export class DeletionSync {
  constructor(
    private readonly store: StatusStore,
    private readonly services: ActionServices,
    private readonly options: DeletionOptions,
    private readonly track: TrackOptions,
    private readonly now: () => number,
  ) {}

  /** Something to pass on at all: a tick, and the service it needs. */
  get enabled(): boolean {
    return (this.options.clearJellyseerr && !!this.services.jellyseerr) || (this.options.removeTorrents && !!this.services.qbittorrent);
  }

  /**
   * Plan the deletion of a newly removed request (once per removal: a person who kept it, or a
   * deletion done or cancelled, is not planned again); the news it made, if any.
   */
  async plan(requestId: number): Promise<TrackResult[]> {
    if (!this.enabled) return [];
    const record = await this.store.read.getRequest(requestId);
    if (!record?.removedAt || record.deletion) return [];
    const key = removalKey(record.removedAt);
    if ((await recordedActions(this.store, record.id, 'deletion-planned')).some((fact) => fact.key === key)) return [];
    const plan = this.planFor(record);
    if (!plan.length) return [];
    const deletion: PendingDeletion = {
      removedAt: record.removedAt,
      dueAt: new Date(this.now() + this.options.graceMs).toISOString(),
      plan,
      dryRun: this.options.dryRun,
    };
    const detail = `${deletion.dryRun ? 'dry run, ' : ''}due ${deletion.dueAt} unless kept: ${plan.join('; ')}`;
    const news: TrackResult[] = [];
    await recordAction(this.store, this.track, record, { action: 'deletion-planned', by: 'auto', episodes: [], detail, key, deletion }, this.now(), news);
    return news;
  }

  /** Pass on every deletion whose grace period is over (one service's trouble leaves the others for the next time). */
  async due(): Promise<{ outcomes: ActionOutcome[]; errors: Error[] }> {
    const outcomes: ActionOutcome[] = [];
    const errors: Error[] = [];
    for (const record of await this.store.read.dueDeletions(new Date(this.now()).toISOString())) {
      try {
        outcomes.push(await this.passOn(record));
      } catch (err) {
        errors.push(err as Error);
      }
    }
    return { outcomes, errors };
  }

  /** What a deletion would do, in words, from what the tracker holds (asked again when it is due). */
  private planFor(record: RequestRecord): string[] {
    const { clearJellyseerr, removeTorrents, deleteFiles } = this.options;
    const plan: string[] = [];
    if (clearJellyseerr && this.services.jellyseerr && record.ids.jellyseerrRequest) plan.push('Jellyseerr: forget the media, so it can be requested again');
    if (removeTorrents && this.services.qbittorrent) {
      const { removable, kept } = this.byRecord(record);
      if (removable.length) plan.push(`qBittorrent: remove ${plural(removable.length, 'torrent')} (${deleteFiles ? 'with their files' : 'files kept'})`);
      if (kept.length) plan.push(`qBittorrent: keep ${plural(kept.length, 'torrent')} not complete and imported`);
    }
    return plan;
  }

  /** The request's torrents: complete and imported (each item it holds imported), or not (kept). */
  private byRecord(record: RequestRecord): { removable: string[]; kept: string[] } {
    const items = record.mediaType === 'movie' ? [{ state: record.stage, downloadId: record.downloadId }] : record.episodes;
    const imported = (id: string) => items.filter((i) => i.downloadId === id).every((i) => i.state !== 'FAILED' && rank(i.state) >= rank('IMPORTING'));
    const removable = record.downloads.filter((d) => d.state === 'DOWNLOADED' && imported(d.id)).map((d) => d.id);
    return { removable, kept: record.downloads.map((d) => d.id).filter((id) => !removable.includes(id)) };
  }

  /** Due: verify, then delete what may be deleted (or, in a dry run, say so), and record it. */
  private async passOn(record: RequestRecord): Promise<ActionOutcome> {
    const deletion = record.deletion!;
    const calls: CallRecord[] = [];
    const news: TrackResult[] = [];
    const key = removalKey(deletion.removedAt);
    const finish = async (action: 'deletion-cancelled' | 'deletion-dry-run' | 'deletion-sync', detail: string) => {
      await recordAction(this.store, this.track, record, { action, by: 'auto', episodes: [], detail, key }, this.now(), news);
      return outcomeOf(this.store, action, record.id, calls, news, detail);
    };

    const verdict = await this.verify(record, calls);
    if (!verdict.gone) return finish('deletion-cancelled', `nothing deleted: ${verdict.said}`);
    const { clearJellyseerr, removeTorrents, deleteFiles, dryRun } = this.options;
    const { jellyseerr, qbittorrent } = this.services;
    const done: string[] = [];
    const kept: string[] = [];
    let mediaId: number | undefined;
    if (clearJellyseerr && jellyseerr && record.ids.jellyseerrRequest) {
      const request = await jellyseerr.request(record.ids.jellyseerrRequest, calls).catch((err: unknown) => {
        if (err instanceof ServiceError && err.status === 404) return undefined;
        return refused(err);
      });
      mediaId = request?.media.id;
      if (mediaId !== undefined) done.push('forget the media in Jellyseerr');
    }
    let torrents: string[] = [];
    if (removeTorrents && qbittorrent) {
      const safe = await this.safeTorrents(record, calls);
      torrents = safe.remove;
      kept.push(...safe.kept);
      if (torrents.length) done.push(`remove ${plural(torrents.length, 'torrent')} from qBittorrent (${deleteFiles ? 'with their files' : 'files kept'})`);
    }
    const said = [`${verdict.said}`, ...(done.length ? [] : ['nothing to delete']), ...kept].join('; ');
    if (dryRun) return finish('deletion-dry-run', `nothing deleted; it would ${done.length ? done.join(' and ') : 'delete nothing'} (${said})`);
    if (mediaId !== undefined) await jellyseerr!.deleteMedia(mediaId, calls).catch(refused);
    if (torrents.length) {
      const status = await qbittorrent!.deleteTorrents(torrents, deleteFiles).catch(refused);
      calls.push({ service: 'qBittorrent', method: 'POST', path: '/api/v2/torrents/delete', status });
    }
    return finish('deletion-sync', `${done.length ? done.join('; ') : 'nothing deleted'} (${said})`);
  }

  /**
   * Ask the sources of truth whether the media is really gone: the arr of its kind (4K in 4K
   * instances) has no such movie or series, or holds it unmonitored with no file; Jellyfin does not
   * play it. At least one of them must be configured; any that still has it stops the deletion.
   */
  private async verify(record: RequestRecord, calls: CallRecord[]): Promise<{ gone: boolean; said: string }> {
    const said: string[] = [];
    let asked = 0;
    const arr = arrFor(this.services, record);
    const externalId = record.mediaType === 'movie' ? record.ids.tmdb : record.ids.tvdb;
    if (arr && externalId) {
      asked++;
      const label = arr.instance.kind === 'radarr' ? 'Radarr' : 'Sonarr';
      const found = await arr.client.presence(record.mediaType, externalId, calls).catch(refused);
      // Files it cannot tell about count as files: the safe side.
      if (found && (found.monitored || found.hasFiles !== false)) {
        const files =
          found.hasFiles === undefined ? 'its files unknown' : found.hasFiles ? `with its file${record.mediaType === 'movie' ? '' : 's'}` : 'no file';
        return { gone: false, said: `${label} still has it (${found.monitored ? 'monitored' : 'unmonitored'}, ${files})` };
      }
      said.push(found ? `${label} holds it unmonitored with no file` : `${label} no longer has it`);
    }
    const { jellyfin } = this.services;
    if (jellyfin) {
      asked++;
      const found = await findInJellyfin(jellyfin, record, new Date(this.now()).toISOString()).catch(refused);
      calls.push({ service: 'Jellyfin', method: 'GET', path: '/Items', status: 200 });
      if (found) return { gone: false, said: 'Jellyfin still plays it' };
      said.push('Jellyfin no longer has it');
    }
    if (!asked) return { gone: false, said: 'nothing to verify the removal with: give this media-action the Radarr/Sonarr or Jellyfin server' };
    return { gone: true, said: said.join(', ') };
  }

  /**
   * The torrents that may go: complete and imported as the tracker holds them, held by no other
   * tracked request, complete in qBittorrent, and not private (or of unknown privacy). Why the others stay.
   */
  private async safeTorrents(record: RequestRecord, calls: CallRecord[]): Promise<{ remove: string[]; kept: string[] }> {
    const qbittorrent = this.services.qbittorrent!;
    const { removable, kept: incomplete } = this.byRecord(record);
    const kept = incomplete.length ? [`${plural(incomplete.length, 'torrent')} kept: not complete and imported`] : [];
    const holders = await this.store.read.downloadHolders(removable);
    const shared = removable.filter((id) => (holders.get(id) ?? []).some((other) => other !== record.id));
    if (shared.length) kept.push(`${plural(shared.length, 'torrent')} kept: another request uses it`);
    const candidates = removable.filter((id) => !shared.includes(id));
    if (!candidates.length) return { remove: [], kept };
    const torrents = await qbittorrent.torrents(candidates).catch(refused);
    calls.push({ service: 'qBittorrent', method: 'GET', path: '/api/v2/torrents/info', status: 200 });
    const remove: string[] = [];
    let notComplete = 0;
    let personal = 0;
    for (const torrent of torrents) {
      if (stageOf(torrent) !== 'DOWNLOADED') {
        notComplete++;
        continue;
      }
      const isPrivate = await qbittorrent.isPrivate(torrent.hash).catch(refused);
      calls.push({ service: 'qBittorrent', method: 'GET', path: '/api/v2/torrents/properties', status: 200 });
      if (isPrivate !== false) {
        personal++;
        continue;
      }
      remove.push(torrent.hash.toUpperCase());
    }
    if (notComplete) kept.push(`${plural(notComplete, 'torrent')} kept: not complete in qBittorrent`);
    if (personal) kept.push(`${plural(personal, 'torrent')} kept: private, a person decides`);
    return { remove, kept };
  }
}
