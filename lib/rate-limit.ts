/**
 * At most `max` in any `windowMs` (a sliding window, on an injected clock): what a household may ask
 * for from one place before it is told to wait (429).
 */
export class RateLimit {
  private readonly taken: number[] = [];

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Take one; false (and nothing taken) when `max` were taken within the window. */
  take(): boolean {
    const now = this.now();
    while (this.taken.length && now - this.taken[0]! >= this.windowMs) this.taken.shift();
    if (this.taken.length >= this.max) return false;
    this.taken.push(now);
    return true;
  }

  /** Seconds until one may be taken again (0: now). */
  retryAfterSeconds(): number {
    if (this.taken.length < this.max) return 0;
    return Math.max(1, Math.ceil((this.taken[0]! + this.windowMs - this.now()) / 1000));
  }
}
