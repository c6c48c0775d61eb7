import type { Connection, Params } from './sqlite';

/**
 * The only way a write transaction reaches its connection, so the write-behind rule holds by
 * construction: writes wait and go with the COMMIT, or before the first read that could see them.
 *
 * Each statement is a round trip to SQLite's thread, which costs more than the statement itself; so
 * with write-behind on, writes are held back and sent together. Every write names the keys (see
 * keys.ts) of what it changes and every read the keys it reads by; a read by a written key (or one
 * that names none: it could see anything) sends what waits first. With write-behind off, every
 * write is sent at once.
 */
export class TxConnection {
  private unsent: string[] = [];
  /** Keys written in this transaction, sent or not: the batch's prefetched rows for them are stale. */
  private readonly written = new Set<string>();
  /** A write in this transaction may have changed anything. */
  private everything = false;

  constructor(
    private readonly db: Connection,
    readonly writeBehind: boolean,
  ) {}

  async begin(): Promise<void> {
    this.unsent = [];
    this.written.clear();
    this.everything = false;
    await this.db.exec('BEGIN IMMEDIATE');
  }

  /** Send what waits, and commit. */
  async commit(): Promise<void> {
    const script = [...this.unsent, 'COMMIT;'].join('\n');
    this.unsent = [];
    await this.db.exec(script);
  }

  async rollback(): Promise<void> {
    this.unsent = [];
    this.written.clear();
    this.everything = false;
    await this.db.exec('ROLLBACK').catch(() => undefined);
  }

  async write(script: string, keys: string[]): Promise<void> {
    if (!script) return;
    keys.forEach((key) => this.written.add(key));
    if (this.writeBehind) this.unsent.push(script);
    else await this.db.exec(script);
  }

  /** Was any of these keys written in this transaction? */
  wrote(keys: string[]): boolean {
    return this.everything || keys.some((key) => this.written.has(key));
  }

  /**
   * A write that may change any request (a deletion by a condition): sent at once, after what waits,
   * and every read after it in this transaction counts as reading what it wrote.
   */
  async writeNow<T>(sql: string, params: Params = []): Promise<T[]> {
    const rows = await this.all<T>('any', sql, params);
    this.everything = true;
    return rows;
  }

  /** A read by these keys (`'any'`: it could see any write). */
  async all<T>(keys: string[] | 'any', sql: string, params: Params = []): Promise<T[]> {
    if (this.unsent.length && (keys === 'any' || this.wrote(keys))) {
      const script = this.unsent.join('\n');
      this.unsent = [];
      await this.db.exec(script);
    }
    return this.db.all<T>(sql, params);
  }

  async get<T>(keys: string[] | 'any', sql: string, params: Params = []): Promise<T | undefined> {
    return (await this.all<T>(keys, sql, params))[0];
  }
}
