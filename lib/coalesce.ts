import { systemClock, type Clock } from './clock';

/**
 * Work that may be asked for often but is done at most once per `periodMs`: asked again within the
 * period, it is done once at the period's end, however many times it was asked meanwhile (Home
 * Assistant's `online` repeated by a flapping broker republishes once, and the last ask is never lost).
 */
export class Coalesced {
  private last = Number.NEGATIVE_INFINITY;
  private cancel: (() => void) | undefined;

  constructor(
    private readonly periodMs: number,
    private readonly run: () => void,
    private readonly clock: Clock = systemClock,
  ) {}

  request(): void {
    if (this.cancel) return;
    const wait = this.last + this.periodMs - this.clock.now();
    if (wait <= 0) return this.fire();
    this.cancel = this.clock.after(wait, () => {
      this.cancel = undefined;
      this.fire();
    });
  }

  private fire(): void {
    this.last = this.clock.now();
    this.run();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }
}
