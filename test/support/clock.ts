import type { Clock } from '../../lib/clock';

/** A clock that moves only when a test says so; its timers fire, in order, as it passes them. */
export class FakeClock implements Clock {
  private timers: { at: number; fn: () => void }[] = [];

  constructor(public time = Date.parse('2026-12-04T12:00:00Z')) {}

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Move on by `ms`, firing every timer due on the way. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = target;
  }

  get pending(): number {
    return this.timers.length;
  }
}
