import type { Clock } from '../../lib/clock';

/**
 * Work on a timer: `run` every `everyMs` (the next run is scheduled when one ends, so runs never
 * overlap). `stop` cancels the next run and waits for one in flight, so a close handler that awaits
 * it leaves nothing running behind the node.
 */
export class Interval {
  private cancel: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly run: () => Promise<unknown>,
    private readonly onError: (err: Error) => void,
    firstAfterMs = everyMs,
  ) {
    if (everyMs > 0) this.cancel = clock.after(firstAfterMs, () => this.tick());
  }

  private tick(): void {
    this.running = this.run()
      .then(() => undefined)
      .catch((err: Error) => this.onError(err))
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.cancel = this.clock.after(this.everyMs, () => this.tick());
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    await this.running;
  }
}

/**
 * What a node does on close (redeploy, stop): every stop in turn, then Node-RED is told once the ones
 * that return a promise have settled (a failed one too: closing never throws, nothing is left running).
 */
export function closeWith(node: { on(event: 'close', listener: (removed: boolean, done: () => void) => void): unknown }, ...stops: Array<() => unknown>): void {
  node.on('close', (_removed: boolean, done: () => void) => {
    const waits = stops.map((stop) => {
      try {
        return Promise.resolve(stop());
      } catch (err) {
        return Promise.reject(err as Error);
      }
    });
    void Promise.allSettled(waits).then(() => done());
  });
}
