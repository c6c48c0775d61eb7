import { URGENT, type News } from './news';

/**
 * News about one request that arrives within a window of the last (Jellyfin announces a season's
 * episodes over minutes) becomes one notification: a 13-episode season pack made available is one
 * message, not thirteen. It waits at most MAX_WINDOWS windows; failures and attention are never
 * delayed. A window of 0 sends each change's news at once.
 */
const MAX_WINDOWS = 10;

export class Digest {
  private readonly pending = new Map<number, { news: News[]; timer: NodeJS.Timeout; since: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly emit: (news: News[]) => void,
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
    const now = Date.now();
    if (open) {
      open.news.push(...rest);
      clearTimeout(open.timer);
      const left = open.since + MAX_WINDOWS * this.windowMs - now;
      open.timer = setTimeout(() => this.release(id), Math.max(0, Math.min(this.windowMs, left)));
      return;
    }
    const timer = setTimeout(() => this.release(id), this.windowMs);
    this.pending.set(id, { news: rest, timer, since: now });
  }

  private release(id: number): void {
    const open = this.pending.get(id);
    if (!open) return;
    this.pending.delete(id);
    clearTimeout(open.timer);
    this.emit(open.news);
  }

  /** Send everything that waits (a close, a flush message). */
  flush(): void {
    for (const id of [...this.pending.keys()]) this.release(id);
  }
}
