import { Skips } from '../http/api-client';
import type { ArrClient, ArrPresence, HistoryRecord } from './client';
import type { MediaEvent } from '../../events';
import type { TrackedShow } from '../../store/sync-reads';
import { isFinished } from '../../states';
import { historyEvents, listedEvent, QueueReader } from './sync-events';
import { absentEvent, movieStatusEvent, showStatusEvent } from './status-events';
import type { ArrInstance } from '../../model';
import { historyStart, type SourceRun, type SyncContext, type SyncSource } from '../../sync';

/** A show's episode list is read again after this long even when nothing it lists has aired. */
const RELIST_MS = 24 * 60 * 60 * 1000;
/** A waiting movie's record (release dates, last search) is read again after this long. */
const RESTATUS_MS = 60 * 60 * 1000;

/** Where the history was read up to: the newest record's date, and the ids at that date (`/history/since` is `>=`). */
interface HistoryCursor {
  since: string;
  ids: number[];
}

/**
 * A Radarr or Sonarr: its history since the cursor (what happened while no webhook got through),
 * its queue (what is downloading, blocked or failed now), and, for Sonarr, the episode lists of the
 * tracked shows (so every aired episode a request asked for is tracked, not only those grabbed).
 */
export class ArrSource implements SyncSource {
  /** What each download in the queue looked like when last applied: an unchanged one sends nothing. */
  private readonly applied = new Map<string, string>();
  /** When each request's episodes were last listed. */
  private readonly listedAt = new Map<number, number>();
  /** Series looked up by TVDB id (undefined: this instance has no such series), and when. */
  private readonly found = new Map<number, { series: ArrPresence | undefined; at: number }>();
  /** When each waiting movie's record was last read. */
  private readonly statusAt = new Map<number, number>();

  constructor(
    private readonly instance: ArrInstance,
    private readonly client: ArrClient,
  ) {}

  get name(): string {
    return this.instance.name;
  }

  get where(): string {
    return this.client.api.where;
  }

  async run(context: SyncContext): Promise<SourceRun> {
    const { store, now } = context;
    const saved = await store.read.sync.cursor(this.name);
    const cursor = saved === undefined ? undefined : (JSON.parse(saved) as HistoryCursor);
    const since = cursor?.since ?? historyStart(now, context.historyDays);
    const skips = new Skips();
    const history = await this.client.historySince(since, skips);
    context.signal.throwIfAborted();
    const known = new Set(cursor?.ids ?? []);
    const fresh = history.filter((r) => !known.has(r.id));
    const at = now.toISOString();

    const queue = new QueueReader(this.instance);
    let read = history.length;
    for await (const page of this.client.queuePages(skips)) {
      context.signal.throwIfAborted();
      queue.add(page);
      read += page.length;
    }
    const all = queue.events(at);
    // Downloads that left the queue are forgotten: the map never outgrows the queue.
    const inQueue = new Set(all.map((d) => d.downloadId));
    for (const id of this.applied.keys()) if (!inQueue.has(id)) this.applied.delete(id);
    const downloads = all.filter(({ downloadId, events }) => this.applied.get(downloadId) !== JSON.stringify(events.map(withoutTime)));
    await context.apply([...historyEvents(this.instance, fresh), ...downloads.flatMap((d) => d.events)]);
    for (const { downloadId, events } of downloads) this.applied.set(downloadId, JSON.stringify(events.map(withoutTime)));

    if (this.instance.kind === 'sonarr') read += await this.listEpisodes(context);
    else await this.readWaitingMovies(context);
    const next = nextCursor(fresh, cursor, at);
    if (next) await store.saveCursor(this.name, JSON.stringify(next));
    return { read, skips };
  }

  /**
   * Radarr's record of each approved movie nothing grabbed yet (4K ones in 4K instances only), read
   * at most hourly: what it waits for (a release date, a search) becomes the request's waiting reason.
   */
  private async readWaitingMovies(context: SyncContext): Promise<void> {
    const now = context.now.getTime();
    const at = context.now.toISOString();
    const waiting = (await context.store.read.sync.waitingMovies()).filter((m) => m.is4k === this.instance.is4k);
    const ids = new Set(waiting.map((m) => m.id));
    for (const id of this.statusAt.keys()) if (!ids.has(id)) this.statusAt.delete(id);
    const events: MediaEvent[] = [];
    for (const movie of waiting) {
      context.signal.throwIfAborted();
      const last = this.statusAt.get(movie.id);
      if (last !== undefined && now - last < RESTATUS_MS) continue;
      const found = await this.client.movie(movie.tmdb);
      this.statusAt.set(movie.id, now);
      const media = {
        mediaType: 'movie' as const,
        ids: { tmdb: movie.tmdb, ...(found ? { radarr: found.id } : {}) },
        instance: this.name,
        is4k: this.instance.is4k,
      };
      events.push(found ? movieStatusEvent(movie.id, media, found, at) : absentEvent(movie.id, media, 'radarr', at));
    }
    await context.apply(events);
  }

  /**
   * A tracked show in this instance, if it is this instance's (4K shows in 4K instances only): looked
   * up by its TVDB id while it waits (its monitoring counts), the answer kept for a day; else the series
   * id known from an event (monitoring not known).
   */
  private async seriesOf(show: TrackedShow, now: number): Promise<ArrPresence | undefined> {
    if (show.is4k !== this.instance.is4k) return undefined;
    const known = show.instances.find((i) => i.name === this.name)?.id ?? (this.instance.is4k ? undefined : (show.sonarr ?? undefined));
    const byId = known === undefined ? undefined : { id: known, monitored: true, hasFiles: undefined };
    if (!show.tvdb || (byId && isFinished(show.state))) return byId;
    const cached = this.found.get(show.tvdb);
    if (cached && now - cached.at < RELIST_MS) return cached.series ?? byId;
    const series = await this.client.presence('tv', show.tvdb);
    this.found.set(show.tvdb, { series, at: now });
    return series ?? byId;
  }

  /**
   * List the episodes of shows that need it: never listed since start, an upcoming episode has aired,
   * or a day has passed. Finished shows with nothing upcoming are left alone.
   */
  private async listEpisodes(context: SyncContext): Promise<number> {
    const now = context.now.getTime();
    const due = (show: TrackedShow) => {
      const last = this.listedAt.get(show.id);
      if (last === undefined) return !isFinished(show.state) || show.upcoming.length > 0;
      return now - last >= RELIST_MS || show.upcoming.some((u) => u.airDate !== null && Date.parse(u.airDate) <= now);
    };
    let read = 0;
    const events: MediaEvent[] = [];
    for (const show of await context.store.read.sync.trackedShows()) {
      context.signal.throwIfAborted();
      if (!due(show)) continue;
      const series = await this.seriesOf(show, now);
      const at = context.now.toISOString();
      if (series === undefined) {
        // Looked up by its TVDB id and not there: the reason it waits (a show it never had is left alone).
        if (show.tvdb && show.is4k === this.instance.is4k && !isFinished(show.state)) {
          this.listedAt.set(show.id, now);
          const media = { mediaType: 'tv' as const, ids: { tvdb: show.tvdb }, instance: this.name, is4k: this.instance.is4k };
          events.push(absentEvent(show.id, media, 'sonarr', at));
        }
        continue;
      }
      const episodes = await this.client.episodes(series.id);
      read += episodes.length;
      this.listedAt.set(show.id, now);
      // Its series id too: the tracker keeps it (HD in ids.sonarr, 4K as the instance's), for actions.
      const media = { mediaType: 'tv' as const, ids: { tvdb: show.tvdb ?? undefined, sonarr: series.id }, instance: this.name, is4k: this.instance.is4k };
      events.push(listedEvent(show.id, media, episodes, show.requestedSeasons, at));
      if (!isFinished(show.state) || show.upcoming.length) events.push(showStatusEvent(show.id, media, series.monitored, episodes, show.requestedSeasons, at));
    }
    await context.apply(events);
    return read;
  }
}

/** An event without its time: what the queue said, to compare with what it said last time. */
function withoutTime(event: MediaEvent): unknown {
  const { at: _at, ...rest } = event;
  return rest;
}

/**
 * The cursor after reading `fresh` (oldest first), or undefined when it stays where it was. Never past
 * `now`: a record dated in the future (a clock gone wrong) would otherwise stop the history forever;
 * such a record is remembered by id instead, so it is read once.
 */
function nextCursor(fresh: HistoryRecord[], cursor: HistoryCursor | undefined, now: string): HistoryCursor | undefined {
  const last = fresh.at(-1);
  if (!last) return undefined;
  const since = Date.parse(last.date) > Date.parse(now) ? now : last.date;
  const from = Date.parse(since);
  const ids = [...fresh.filter((r) => Date.parse(r.date) >= from).map((r) => r.id), ...(cursor && Date.parse(cursor.since) >= from ? cursor.ids : [])];
  return { since, ids: [...new Set(ids)] };
}
