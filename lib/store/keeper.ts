import { systemClock } from '../clock';
import { EventEmitter } from 'node:events';
import { StatusStore, type StoreOptions } from './store';

/**
 * Keeps a store open: opens it, and when that fails (a read-only file, a directory in its place, a
 * disk not mounted yet) says why and tries again with backoff, so fixing the file brings it back
 * without a redeploy.
 */

export type KeeperState =
  | { status: 'opening'; file: string }
  | { status: 'open'; file: string }
  | { status: 'failed'; file: string; reason: string; retryInMs: number }
  | { status: 'closed'; file: string };

export interface KeeperRetry {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_KEEPER_RETRY: KeeperRetry = { initialMs: 1000, maxMs: 60000 };

export interface StoreKeeperEvents {
  state: [KeeperState];
  /** The store is open (again): subscribe to its events. */
  open: [StatusStore];
}

export class StoreKeeper extends EventEmitter<StoreKeeperEvents> {
  private current: KeeperState;
  private opened: StatusStore | undefined;
  private lastError: Error | undefined;
  private first: Promise<void>;
  private cancelRetry: (() => void) | undefined;
  private attempts = 0;
  private closing = false;

  constructor(
    readonly file: string,
    private readonly options: StoreOptions & { retry?: Partial<KeeperRetry> } = {},
  ) {
    super();
    this.current = { status: 'opening', file };
    this.first = this.attempt();
  }

  get state(): KeeperState {
    return this.current;
  }

  /** The open store. While the first attempt runs it waits for it; after a failure it rejects at once with the reason. */
  async store(): Promise<StatusStore> {
    if (!this.opened && this.current.status === 'opening' && this.attempts <= 1) await this.first;
    if (this.opened) return this.opened;
    throw this.lastError ?? new Error(`the status database ${this.file} is not open`);
  }

  private setState(state: KeeperState): void {
    this.current = state;
    this.emit('state', state);
  }

  private async attempt(): Promise<void> {
    this.attempts++;
    try {
      const store = await StatusStore.open(this.file, this.options);
      if (this.closing) {
        await store.close();
        return;
      }
      this.opened = store;
      this.lastError = undefined;
      this.setState({ status: 'open', file: this.file });
      this.emit('open', store);
    } catch (err) {
      if (this.closing) return;
      this.lastError = err as Error;
      const retry = { ...DEFAULT_KEEPER_RETRY, ...this.options.retry };
      const retryInMs = Math.min(retry.maxMs, retry.initialMs * 2 ** (this.attempts - 1));
      this.setState({ status: 'failed', file: this.file, reason: (err as Error).message, retryInMs });
      this.cancelRetry = (this.options.clock ?? systemClock).after(retryInMs, () => void this.attempt());
    }
  }

  /** Waits for queued writes, then closes the store; stops retrying. */
  async close(): Promise<void> {
    this.closing = true;
    this.cancelRetry?.();
    await this.first.catch(() => undefined);
    const store = this.opened;
    this.opened = undefined;
    this.setState({ status: 'closed', file: this.file });
    await store?.close();
  }
}
