import sqlite3 from 'sqlite3';

export type Params = (string | number | null)[];
export type Value = Params[number];

/**
 * A value as an SQL literal, for statements sent together as one script. SQLite strings know no
 * escape but the doubled quote; a NUL would end the script text, so such a string goes as a blob
 * cast back to text.
 */
export function literal(value: Value): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a storable number: ${value}`);
    return String(value);
  }
  if (value.includes('\0')) return `CAST(X'${Buffer.from(value, 'utf8').toString('hex')}' AS TEXT)`;
  return value.includes("'") ? `'${value.replace(/'/g, "''")}'` : `'${value}'`;
}

/**
 * A small promise face over one sqlite3 connection, with prepared statements cached by SQL text.
 * Closing waits for the calls under way; a call after it is refused with an error of its own, never
 * handed to the closed handle (whose errors sqlite3 may raise as an uncaught 'error' event).
 */
export class Connection {
  private readonly statements = new Map<string, sqlite3.Statement>();
  private closing = false;
  /** Calls under way, and who waits for them to end. */
  private busy = 0;
  private idle: (() => void) | undefined;

  private constructor(private readonly db: sqlite3.Database) {}

  static open(file: string, mode = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, mode, (err) => (err ? reject(err) : resolve(new Connection(db))));
    });
  }

  private call<T>(start: (settle: (err: Error | null, value?: T) => void) => void): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the database is closed'));
    this.busy++;
    return new Promise<T>((resolve, reject) =>
      start((err, value) => {
        if (--this.busy === 0) this.idle?.();
        if (err) reject(err);
        else resolve(value as T);
      }),
    );
  }

  exec(sql: string): Promise<void> {
    return this.call((settle) => this.db.exec(sql, settle));
  }

  private statement(sql: string): sqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, params: Params = []): Promise<{ lastID: number; changes: number }> {
    return this.call((settle) =>
      this.statement(sql).run(params, function (this: sqlite3.RunResult, err: Error | null) {
        settle(err, { lastID: this.lastID, changes: this.changes });
      }),
    );
  }

  /** For statements whose text varies: prepared once, not cached. */
  allOnce<T>(sql: string, params: Params = []): Promise<T[]> {
    return this.call((settle) => this.db.all(sql, params, (err: Error | null, rows: T[]) => settle(err, rows)));
  }

  all<T>(sql: string, params: Params = []): Promise<T[]> {
    return this.call((settle) => this.statement(sql).all(params, (err: Error | null, rows: T[]) => settle(err, rows)));
  }

  async get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.busy) await new Promise<void>((resolve) => (this.idle = resolve));
    await Promise.all([...this.statements.values()].map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))));
    this.statements.clear();
    await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}
