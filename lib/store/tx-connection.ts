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
 *
 * A deferred transaction (write-behind on) also holds its BEGIN back: the batch reads outside it, and
 * it begins with the first write it sends, mostly with the COMMIT, one round trip for the lot. Its
 * first statement then checks that no other connection has committed since the writer last read
 * (PRAGMA data_version, see readAt): if one has, the transaction fails and its jobs are run again.
 */
/** About the longest script sent at once (see TxConnection.send). */
const SCRIPT_CHARS = 256 * 1024;

export class TxConnection {
  private unsent: string[] = [];
  /** Keys written in this transaction: a read by one of them sends what waits first. */
  private readonly written = new Set<string>();
  /** A write in this transaction may have changed anything. */
  private everything = false;
  /** BEGIN has been sent. */
  private begun = false;
  /** What BEGIN sends: a deferred transaction's comes with its check (see readAt). */
  private beginScript = 'BEGIN IMMEDIATE;';

  constructor(
    private readonly db: Connection,
    readonly writeBehind: boolean,
  ) {}

  /** Start a transaction; `deferred` (with write-behind on): its BEGIN waits for its first write. */
  async begin(deferred = false): Promise<void> {
    this.unsent = [];
    this.written.clear();
    this.everything = false;
    this.begun = false;
    this.beginScript = 'BEGIN IMMEDIATE;';
    if (!deferred || !this.writeBehind) await this.sendBegin();
  }

  /** A deferred transaction's reads saw the database at this PRAGMA data_version: it fails unless it still is. */
  readAt(version: number): void {
    // abs() of the smallest integer is SQLite's "integer overflow" error (made to depend on a column, so it is not computed up front).
    this.beginScript = `BEGIN IMMEDIATE;
      SELECT CASE WHEN data_version = ${version} THEN 0 ELSE abs(-9223372036854775808 + 0 * data_version) END FROM pragma_data_version;`;
  }

  private async sendBegin(): Promise<void> {
    if (this.begun) return;
    this.begun = true;
    await this.db.exec(this.beginScript);
  }

  /** Send what waits, and commit (a deferred transaction that wrote nothing has nothing to commit). */
  async commit(): Promise<void> {
    if (!this.begun && !this.unsent.length) return;
    const pieces = [...(this.begun ? [] : [this.beginScript]), ...this.unsent, 'COMMIT;'];
    this.begun = true;
    this.unsent = [];
    await this.send(pieces);
  }

  /**
   * Statements in order, as few scripts as can be: one, unless they are long (a long show's ten
   * thousand episodes), then scripts of about SCRIPT_CHARS each. Handing a script to SQLite copies it
   * on Node-RED's thread, and a few megabytes at once would stop it for tens of milliseconds.
   */
  private async send(pieces: string[]): Promise<void> {
    let script: string[] = [];
    let length = 0;
    for (const piece of pieces) {
      if (length && length + piece.length > SCRIPT_CHARS) {
        await this.db.exec(script.join('\n'));
        script = [];
        length = 0;
      }
      script.push(piece);
      length += piece.length;
    }
    if (script.length) await this.db.exec(script.join('\n'));
  }

  async rollback(): Promise<void> {
    this.unsent = [];
    this.written.clear();
    this.everything = false;
    // Also after a failed deferred COMMIT script: its BEGIN may have been run.
    await this.db.exec('ROLLBACK').catch(() => undefined);
  }

  /** Statements (empty ones are skipped) that change what these keys read. */
  async write(statements: string[], keys: string[]): Promise<void> {
    const pieces = statements.filter((statement) => statement);
    if (!pieces.length) return;
    keys.forEach((key) => this.written.add(key));
    if (this.writeBehind) this.unsent.push(...pieces);
    else await this.send(pieces);
  }

  /** Was any of these keys written in this transaction? */
  private wrote(keys: string[]): boolean {
    return this.everything || keys.some((key) => this.written.has(key));
  }

  /**
   * A write that may change any request (a deletion by a condition): sent at once, after what waits,
   * and every read after it in this transaction counts as reading what it wrote.
   */
  async writeNow<T>(sql: string, params: Params = []): Promise<T[]> {
    await this.sendBegin();
    const rows = await this.all<T>('any', sql, params);
    this.everything = true;
    return rows;
  }

  /** A read by these keys (`'any'`: it could see any write). */
  async all<T>(keys: string[] | 'any', sql: string, params: Params = []): Promise<T[]> {
    if (this.unsent.length && (keys === 'any' || this.wrote(keys))) {
      await this.sendBegin();
      const pieces = this.unsent;
      this.unsent = [];
      await this.send(pieces);
    }
    return this.db.all<T>(sql, params);
  }

  async get<T>(keys: string[] | 'any', sql: string, params: Params = []): Promise<T | undefined> {
    return (await this.all<T>(keys, sql, params))[0];
  }
}
