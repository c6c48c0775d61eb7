import type { Skips } from './services/http/api-client';
import type { MediaEvent } from './events';
import type { StatusStore } from './store/store';
import { track, type TrackOptions, type TrackResult } from './tracker/track';

/**
 * Sync: make the tracker's picture converge to what the services know, whatever webhooks were
 * missed. Each source (a Jellyseerr, a Radarr, a Sonarr) reads what changed since its cursor and
 * turns it into the normalised events its webhooks would have sent; they take the one path every
 * event takes (track: correlate, deduplicate by facts, reduce, commit). A source that fails (down,
 * 401) is reported and retried next time; the others go on.
 */

export interface SourceOutcome {
  ok: boolean;
  error?: string;
  /** Records read from the service. */
  read: number;
  /** Records the service gave that failed their schema: left out (see `skippedReason`). */
  skipped: number;
  /** The first of them, with the field and reason, for one warning. */
  skippedReason?: string;
  /** Requests this sync changed (or added a timeline entry to). */
  changed: number;
}

export interface SyncReport {
  ok: boolean;
  at: string;
  sources: Record<string, SourceOutcome>;
}

export interface SyncOutcome {
  report: SyncReport;
  /** What the sync changed that is worth a notification (as episode-state sends). */
  news: TrackResult[];
}

/** What a source may use while it syncs. */
export interface SyncContext {
  store: StatusStore;
  now: Date;
  /** How far back the first sync reads (SYNC_HISTORY_DAYS). */
  historyDays: number;
  /** Apply events in order, through the tracker; settles once they are committed. */
  apply(events: MediaEvent[]): Promise<void>;
  /** Aborted when the sync is stopped (its node closes): a source checks it between calls. */
  signal: AbortSignal;
}

/** What one source's sync read, and what it left out. */
export interface SourceRun {
  read: number;
  skips: Skips;
}

export interface SyncSource {
  /** The server node's instance name: the key of the report. */
  readonly name: string;
  /** The service's URL, as a log line may show it. */
  readonly where: string;
  /** Sync once; how many records it read. Throws when the service cannot be used. */
  run(context: SyncContext): Promise<SourceRun>;
}

export interface SyncOptions {
  historyDays: number;
  track: TrackOptions;
}

/** Events applied per turn: between turns the queue serves webhooks, so one never waits long behind a big sync. */
const TURN = 32;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The sync under way of each source, whichever MediaSync runs it (two media-sync nodes on one server,
 * or the old and the new node of a redeploy): a source never syncs twice at once.
 */
const busy = new WeakMap<SyncSource, Promise<unknown>>();

async function exclusively<T>(source: SyncSource, run: () => Promise<T>): Promise<T> {
  for (let current = busy.get(source); current; current = busy.get(source)) await current.catch(() => undefined);
  const done = run();
  busy.set(source, done);
  try {
    return await done;
  } finally {
    if (busy.get(source) === done) busy.delete(source);
  }
}

export class MediaSync {
  private running: Promise<SyncOutcome> | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly sources: SyncSource[],
    private readonly options: SyncOptions,
  ) {}

  get names(): string[] {
    return this.sources.map((s) => s.name);
  }

  /** Sync every source once, in order (Jellyseerr's requests first, then what the arrs did). A sync asked for while one runs is that one. */
  sync(store: StatusStore, now = new Date()): Promise<SyncOutcome> {
    this.running ??= this.run(store, now).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stop for good: the sync under way ends at its next call (what it applied stays), and none starts again. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('the sync was stopped'));
    await this.running?.catch(() => undefined);
  }

  private async run(store: StatusStore, now: Date): Promise<SyncOutcome> {
    const sources: Record<string, SourceOutcome> = {};
    const news: TrackResult[] = [];
    for (const source of this.sources) {
      const changed = new Set<number>();
      const apply = async (events: MediaEvent[]) => {
        for (let i = 0; i < events.length; i += TURN) {
          this.stopping.signal.throwIfAborted();
          const results = await Promise.all(events.slice(i, i + TURN).map((event) => track(store, event, this.options.track)));
          for (const result of results) {
            if (result.request && (result.outcome === 'changed' || result.outcome === 'recorded')) changed.add(result.request.id);
            if (result.notify) news.push(result);
          }
          await nextTurn();
        }
      };
      const signal = this.stopping.signal;
      if (signal.aborted) break;
      try {
        const { read, skips } = await exclusively(source, () => source.run({ store, now, historyDays: this.options.historyDays, apply, signal }));
        sources[source.name] = { ok: true, read, skipped: skips.count, ...(skips.first ? { skippedReason: skips.first } : {}), changed: changed.size };
      } catch (err) {
        sources[source.name] = { ok: false, error: (err as Error).message, read: 0, skipped: 0, changed: changed.size };
      }
    }
    return { report: { ok: Object.values(sources).every((s) => s.ok), at: now.toISOString(), sources }, news };
  }
}

/** The instant `days` before `now`, where a first sync starts reading. */
export function historyStart(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}
