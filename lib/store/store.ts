import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { systemClock, type Clock } from '../clock';
import { Outlook } from '../tracker/outlook';
import type { RequestTx, RequestWriter } from './lookup';
import { migrate, SCHEMA_VERSION } from './migrations';
import { PeopleStore } from './people-store';
import { StoreReader } from './reader';
import { Connection } from './sqlite';
import { WriteQueue } from './write-queue';
import { WriteTx } from './write-tx';

/**
 * The only code that knows SQL: one SQLite file, a writer connection with one queue (see WriteQueue,
 * WriteTx) and a reader connection that only ever sees committed data (see StoreReader).
 *
 * Throughput is bound by round trips to SQLite's thread, so a record loads in one query, lookups are
 * answered in memory (see KeyIndex), jobs that arrive together share a transaction, and writes go with
 * the COMMIT.
 */

export interface StoreOptions {
  busyTimeoutMs?: number;
  /**
   * Group commit and write-behind (on by default): only speed depends on them. Off, every job has its
   * own transaction and every write is sent at once.
   */
  writeBehind?: boolean;
  /** The time snapshots are seen from (waiting reasons, ETAs). */
  clock?: Clock;
  /** An IANA time zone for dates in waiting reasons; default: the server's. */
  timeZone?: string;
}

const BATCH_LIMIT = 256;

/**
 * SQLite opens a file it may not write read-only, without a word, and fails on the first write; a
 * store that cannot write is an error at open (a rolled-back write of the schema version says so).
 */
async function probeWritable(db: Connection): Promise<void> {
  try {
    await db.exec(`BEGIN IMMEDIATE; PRAGMA user_version = ${SCHEMA_VERSION}; ROLLBACK;`);
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export interface StatusStoreEvents {
  /** Requests whose change was just committed: what live views refresh (they never see uncommitted data). */
  committed: [number[]];
  /** A person was saved or removed (see PeopleStore). */
  people: [];
}

export class StatusStore extends EventEmitter<StatusStoreEvents> implements RequestWriter {
  private closed = false;
  /** Work of the store's users that a close waits for (see hold). */
  private readonly held = new Set<Promise<unknown>>();
  private readonly queue: WriteQueue<WriteTx>;
  /** Reads of committed data. */
  readonly read: StoreReader;
  /** Snapshots with why each request waits and when it will be ready. */
  readonly outlook: Outlook;
  /** The household's people (see lib/people). */
  readonly people: PeopleStore;

  private constructor(
    readonly file: string,
    private readonly writer: Connection,
    private readonly reader: Connection,
    options: StoreOptions,
  ) {
    super();
    const writeBehind = options.writeBehind ?? true;
    this.read = new StoreReader(reader);
    this.outlook = new Outlook(this.read, options.clock ?? systemClock, options.timeZone);
    this.queue = new WriteQueue(new WriteTx(writer, writeBehind), {
      batchLimit: writeBehind ? BATCH_LIMIT : 1,
      onCommitted: (ids) => this.emit('committed', ids),
    });
    this.people = new PeopleStore(
      this.read.people,
      (job) => this.run((tx) => job(tx.people)),
      options.clock ?? systemClock,
      () => this.emit('people'),
    );
  }

  /**
   * Reads that belong together (a publish of every request): a close waits for them, where Node-RED
   * closes the store's node and its users at once.
   */
  hold<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the status store is closed'));
    const held = work();
    this.held.add(held);
    const release = () => this.held.delete(held);
    held.then(release, release);
    return held;
  }

  private run<T>(job: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the status store is closed'));
    return this.queue.run(job);
  }

  static async open(file: string, options: StoreOptions = {}): Promise<StatusStore> {
    // A second connection to :memory: is a second, empty database: the reader would never see a write.
    if (file === ':memory:' || file.startsWith('file::memory:')) throw new Error("':memory:' cannot hold the status: give the status-store a file");
    mkdirSync(dirname(file), { recursive: true });
    const busy = options.busyTimeoutMs ?? 5000;
    const writer = await Connection.open(file);
    try {
      await writer.exec(`PRAGMA busy_timeout = ${busy}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;`);
      await migrate(writer);
      await probeWritable(writer);
      const reader = await Connection.open(file);
      await reader.exec(`PRAGMA busy_timeout = ${busy}; PRAGMA query_only = ON;`);
      return new StatusStore(file, writer, reader, options);
    } catch (err) {
      await writer.close().catch(() => undefined);
      throw (err as { code?: string }).code === 'SQLITE_READONLY' ? new Error(`read-only: ${file}`) : err;
    }
  }

  /** Run a write job in order with every other; settles after its data is committed. */
  write<T>(job: (tx: RequestTx) => Promise<T>): Promise<T> {
    return this.run(job);
  }

  /** Forget finished requests (AVAILABLE, FAILED) not changed since `before`: the retention of status-store. */
  forgetFinished(before: Date): Promise<number[]> {
    return this.run((tx) => tx.forgetFinished(before.toISOString()));
  }

  /** Keep the ETAs given now (see WriteTx.predict) and settle those whose request became available. */
  predict(rows: [number, string, string, string | null][]): Promise<void> {
    return this.run((tx) => tx.predict(rows));
  }

  /** Forget one request with everything it holds (a person's "forget"); whether it was there. */
  forget(id: number): Promise<boolean> {
    return this.run(async (tx) => (await tx.forgetRequest(id)) > 0);
  }

  /** Keep a sync source's cursor (where its next sync starts); it survives restarts. */
  saveCursor(source: string, cursor: string): Promise<void> {
    return this.run((tx) => tx.saveCursor(source, cursor, new Date().toISOString()));
  }

  /** Waits for held reads and queued writes, then closes both connections (the WAL is checkpointed and removed). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.held]);
    await this.queue.idle();
    await this.reader.close();
    await this.writer.close();
  }
}
