import { Skips } from '../http/api-client';
import { MAX_REQUESTS_READ, PAGE_SIZE, type JellyseerrClient, type SeerrRequest, type SeerrTitle } from './client';
import type { MediaEvent } from '../../events';
import { isFinished } from '../../states';
import { seerrEvents, seerrFingerprint } from './sync-events';
import { historyStart, type SourceRun, type SyncContext, type SyncSource } from '../../sync';
import { ServiceError } from '../http/errors';

/** A tracked request Jellyseerr no longer lists as in progress is read by id at most this often. */
const RECHECK_MS = 60 * 60 * 1000;
/** Title look-ups in flight at once. */
const TITLE_CALLS = 8;

/**
 * Jellyseerr's requests: the new ones (by id, newest first, until one already seen; the first sync
 * takes those created in the history window), and the current status of those the tracker has
 * unfinished: Seerr 2.6 to 3.1 never change `updatedAt`, so changes are found by status (the
 * `unavailable` filter lists every request still in progress) and, for one that left that list, by id.
 */
export class JellyseerrSource implements SyncSource {
  /** What each request looked like when last applied: an unchanged one sends nothing. */
  private readonly applied = new Map<number, string>();
  private readonly checkedAt = new Map<number, number>();
  /** Titles by media, asked once (the tracker keeps them; this saves asking again before it has). */
  private readonly titles = new Map<string, SeerrTitle>();

  constructor(
    readonly name: string,
    private readonly client: JellyseerrClient,
    /** Requests read at most per list and sync (MAX_REQUESTS_READ). */
    private readonly maxRequests = MAX_REQUESTS_READ,
  ) {}

  get where(): string {
    return this.client.api.where;
  }

  async run(context: SyncContext): Promise<SourceRun> {
    const { store, now } = context;
    const cursor = await store.read.sync.cursor(this.name);
    const lastId = cursor === undefined ? undefined : (JSON.parse(cursor) as { lastId: number }).lastId;
    const tracked = new Map((await store.read.sync.jellyseerrRequests()).map((r) => [r.jellyseerrRequest, r]));
    const skips = new Skips();

    const fresh = await this.newRequests(lastId, historyStart(now, context.historyDays), skips, context.signal);
    // Every request still in progress, whenever it was made (a FAILED one retried in Jellyseerr is back in it).
    const inProgress = await this.pages('unavailable', () => false, skips, context.signal);
    const seen = new Map([...inProgress, ...fresh].map((r) => [r.id, r]));
    // Tracked requests that left the list finished (completed, declined, failed, deleted): read by id.
    const open = [...tracked.values()].filter((r) => !isFinished(r.state) && !r.removed && !seen.has(r.jellyseerrRequest)).map((r) => r.jellyseerrRequest);
    for (const id of open) {
      context.signal.throwIfAborted();
      if (now.getTime() - (this.checkedAt.get(id) ?? 0) < RECHECK_MS) continue;
      this.checkedAt.set(id, now.getTime());
      const request = await this.client.request(id).catch((err: unknown) => {
        // Deleted in Jellyseerr (its media removed): nothing more to learn.
        if (err instanceof ServiceError && err.status === 404) return undefined;
        throw err;
      });
      if (request) seen.set(id, request);
    }

    const changed = [...seen.values()].filter((r) => this.applied.get(r.id) !== seerrFingerprint(r)).sort((a, b) => a.id - b.id);
    const titles = await this.titlesFor(changed.filter((r) => !tracked.get(r.id)?.titled));
    const at = now.toISOString();
    const events: MediaEvent[] = changed.flatMap((r) => seerrEvents(r, at, titles.get(r.id)));
    await context.apply(events);
    for (const r of changed) this.applied.set(r.id, seerrFingerprint(r));

    const newest = Math.max(lastId ?? 0, ...fresh.map((r) => r.id));
    if (newest > (lastId ?? 0)) await store.saveCursor(this.name, JSON.stringify({ lastId: newest }));
    return { read: seen.size, skips };
  }

  /** Requests newer than the last one seen; on the first sync, those created since `since`. */
  private newRequests(lastId: number | undefined, since: string, skips: Skips, signal: AbortSignal): Promise<SeerrRequest[]> {
    const old = lastId === undefined ? (r: SeerrRequest) => r.createdAt < since : (r: SeerrRequest) => r.id <= lastId;
    return this.pages('all', old, skips, signal);
  }

  /**
   * Pages of a filter, newest first, until `stop` says a request is past what is wanted. It believes
   * the page count of the first page, stops at a page that repeats the last one (a service that
   * ignores `skip`), and never reads more than `maxRequests` requests.
   */
  private async pages(filter: 'all' | 'unavailable', stop: (r: SeerrRequest) => boolean, skips: Skips, signal: AbortSignal): Promise<SeerrRequest[]> {
    const found: SeerrRequest[] = [];
    const take = PAGE_SIZE[filter];
    let pages: number | undefined;
    let previous: string | undefined;
    for (let n = 0; n * take < this.maxRequests; n++) {
      signal.throwIfAborted();
      const page = await this.client.requests(filter, n * take, take, skips);
      pages ??= page.pageInfo.pages;
      const ids = page.results.map((r) => r.id).join(',');
      if (ids === previous) return found;
      previous = ids;
      for (const r of page.results) {
        if (stop(r)) return found;
        found.push(r);
      }
      if (!page.results.length || n + 1 >= pages || (n + 1) * take >= page.pageInfo.results) return found;
    }
    return found;
  }

  /** Title, year and poster of each request's media, from the movie/TV detail endpoints; a failed look-up leaves it untitled. */
  private async titlesFor(requests: SeerrRequest[]): Promise<Map<number, SeerrTitle>> {
    const result = new Map<number, SeerrTitle>();
    const queue = [...requests];
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        const key = `${r.type}:${r.media.tmdbId}`;
        let title = this.titles.get(key);
        if (!title) {
          title = await this.client.title(r.type, r.media.tmdbId).catch(() => undefined);
          if (title) this.titles.set(key, title);
        }
        if (title) result.set(r.id, title);
      }
    };
    await Promise.all(Array.from({ length: TITLE_CALLS }, worker));
    return result;
  }
}
