import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { configValue } from '../config-values';

export const DEFAULT_DATABASE_FILE = 'media-status.db';

/** The database file: absolute as given, relative to the Node-RED user dir, or the default name inside it. */
export function resolveDatabasePath(configured: string | undefined, userDir: string | undefined): string {
  const base = userDir || join(homedir(), '.node-red');
  const value = configValue(configured);
  if (!value) return join(base, DEFAULT_DATABASE_FILE);
  if (value === ':memory:') return value;
  return isAbsolute(value) ? value : resolve(base, value);
}
