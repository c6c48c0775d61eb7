import type { Connection } from './sqlite';
import { MIGRATIONS } from './schema-steps';

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings a database to SCHEMA_VERSION, one step per transaction. */

export async function migrate(db: Connection): Promise<number> {
  const row = await db.get<{ user_version: number }>('PRAGMA user_version');
  const from = row?.user_version ?? 0;
  if (from > SCHEMA_VERSION) {
    throw new Error(`the database has schema version ${from}, newer than this package knows (${SCHEMA_VERSION}); upgrade the package`);
  }
  for (const [version, step] of MIGRATIONS.entries()) {
    if (version < from) continue;
    await db.exec('BEGIN IMMEDIATE');
    try {
      if (typeof step === 'string') await db.exec(step);
      else await step(db);
      await db.exec(`PRAGMA user_version = ${version + 1}`);
      await db.exec('COMMIT');
    } catch (err) {
      await db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
  return from;
}
