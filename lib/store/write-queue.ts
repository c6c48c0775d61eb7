/**
 * Write jobs run one at a time, in arrival order. Jobs that queue up while a transaction is open
 * share the next one (group commit), and each job's promise settles only after that commit. If
 * anything of a shared transaction fails (BEGIN, a job, the COMMIT: a full disk, say), it is rolled
 * back and its jobs are replayed one per transaction, so a failure never takes other jobs with it.
 */

/** A transaction the queue runs jobs in. */
export interface Transaction {
  /**
   * `deferred`: for a shared transaction, whose failure replays its jobs alone. It may read first and
   * begin with its writes; it must then fail if what it read changed before it began.
   */
  begin(deferred?: boolean): Promise<void>;
  /** Commit; the ids of the records it changed. */
  commit(): Promise<number[]>;
  rollback(): Promise<void>;
}

type Job<Tx> = { run: (tx: Tx) => Promise<unknown>; resolve: (value: unknown) => void; reject: (err: unknown) => void };

export interface WriteQueueOptions {
  /** Most jobs in one transaction; 1 turns group commit off. */
  batchLimit: number;
  /** After each commit, with what it changed (never for a rolled-back transaction). */
  onCommitted(ids: number[]): void;
}

export class WriteQueue<Tx extends Transaction> {
  private queue: Job<Tx>[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly tx: Tx,
    private readonly options: WriteQueueOptions,
  ) {}

  run<T>(run: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.draining ??= this.drain();
    });
  }

  /** Resolves once every queued job has settled. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      const grouped = this.options.batchLimit > 1;
      while (this.queue.length) {
        // One turn of the event loop lets the writes that arrive together share a commit.
        if (grouped) await new Promise((resolve) => setImmediate(resolve));
        const batch = this.queue.splice(0, this.options.batchLimit);
        // A shared transaction even for a single job: it is deferred, one round trip after a commit.
        if (grouped && (await this.runTogether(batch))) continue;
        // Group commit off, or a batch in which something failed: one transaction per job.
        for (const job of batch) await this.runAlone(job);
      }
    } finally {
      // In the same tick as the last empty-queue check: a write arriving after it starts a new drain.
      this.draining = null;
    }
  }

  /** Jobs in one transaction; false (rolled back, nothing settled) if anything failed. */
  private async runTogether(jobs: Job<Tx>[]): Promise<boolean> {
    const values: unknown[] = [];
    let changed: number[];
    try {
      await this.tx.begin(true);
      for (const job of jobs) values.push(await job.run(this.tx));
      changed = await this.tx.commit();
    } catch {
      await this.tx.rollback();
      return false;
    }
    jobs.forEach((job, i) => job.resolve(values[i]));
    this.committed(changed);
    return true;
  }

  private async runAlone(job: Job<Tx>): Promise<void> {
    let value: unknown;
    let changed: number[];
    try {
      await this.tx.begin();
      value = await job.run(this.tx);
      changed = await this.tx.commit();
    } catch (err) {
      await this.tx.rollback();
      job.reject(err);
      return;
    }
    job.resolve(value);
    this.committed(changed);
  }

  private committed(ids: number[]): void {
    if (ids.length) this.options.onCommitted(ids);
  }
}
