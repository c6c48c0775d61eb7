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

/** A small promise face over one sqlite3 connection, with prepared statements cached by SQL text. */
export class Connection {
  private readonly statements = new Map<string, sqlite3.Statement>();

  private constructor(private readonly db: sqlite3.Database) {}

  static open(file: string, mode = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, mode, (err) => (err ? reject(err) : resolve(new Connection(db))));
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve())));
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
    return new Promise((resolve, reject) =>
      this.statement(sql).run(params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ lastID: this.lastID, changes: this.changes });
      }),
    );
  }

  /** For statements whose text varies: prepared once, not cached. */
  allOnce<T>(sql: string, params: Params = []): Promise<T[]> {
    return new Promise((resolve, reject) => this.db.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows))));
  }

  all<T>(sql: string, params: Params = []): Promise<T[]> {
    return new Promise((resolve, reject) => this.statement(sql).all(params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows))));
  }

  async get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async close(): Promise<void> {
    await Promise.all([...this.statements.values()].map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))));
    this.statements.clear();
    await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}
