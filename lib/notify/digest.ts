import { systemClock, type Clock } from '../clock';
import { URGENT, type News } from './news';

/**
 * News about one request that arrives within a window of the last (Jellyfin announces a season's
 * episodes over minutes) becomes one notification: a 13-episode season pack made available is one
 * message, not thirteen. It waits at most MAX_WINDOWS windows; failures and attention are never
 * delayed. A window of 0 sends each change's news at once.
 */
const MAX_WINDOWS = 10;

export class Digest {
  private readonly pending = new Map<number, { news: News[]; cancel: () => void; since: number; due: number }>();

  /** `onError`: what a send from the timer threw (a timer's error must never leave the package). */
  constructor(
    private readonly windowMs: number,
    private readonly emit: (news: News[]) => void,
    private readonly onError: (err: Error) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The news of one state change. */
  add(news: News[]): void {
    const urgent = news.filter((n) => URGENT.includes(n.kind));
    const rest = news.filter((n) => !URGENT.includes(n.kind));
    for (const n of urgent) this.emit([n]);
    if (!rest.length) return;
    if (this.windowMs <= 0) return this.emit(rest);
    const id = rest[0]!.request.id;
    const open = this.pending.get(id);
    const now = this.clock.now();
    if (open) {
      open.news.push(...rest);
      open.cancel();
      const left = open.since + MAX_WINDOWS * this.windowMs - now;
      const wait = Math.max(0, Math.min(this.windowMs, left));
      open.cancel = this.clock.after(wait, () => this.release(id));
      open.due = now + wait;
      return;
    }
    const cancel = this.clock.after(this.windowMs, () => this.release(id));
    this.pending.set(id, { news: rest, cancel, since: now, due: now + this.windowMs });
  }

  /** How many requests' news wait, and when the first of them goes (epoch ms); undefined when none. */
  held(): { count: number; nextAt: number } | undefined {
    if (!this.pending.size) return undefined;
    return { count: this.pending.size, nextAt: Math.min(...[...this.pending.values()].map((p) => p.due)) };
  }

  private release(id: number): void {
    const open = this.pending.get(id);
    if (!open) return;
    this.pending.delete(id);
    open.cancel();
    try {
      this.emit(open.news);
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** Send everything that waits (a close, a flush message). */
  flush(): void {
    for (const id of [...this.pending.keys()]) this.release(id);
  }
}
