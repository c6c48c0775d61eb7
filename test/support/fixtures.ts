import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (tests run from dist/test/...). */
export const ROOT = join(__dirname, '..', '..', '..');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

export function fixtureText(name: string): string {
  return readFileSync(join(ROOT, 'fixtures', `${name}.json`), 'utf8');
}

export function fixture(name: string): Body {
  return JSON.parse(fixtureText(name));
}

export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
