import { readFileSync } from 'node:fs';
import { formatIssues } from '../services/http/schema-helpers';
import { PeopleSchema, type Person } from './person';

/** The environment variable that configures the household's people by file (README, "People"). */
export const PEOPLE_ENV = 'MEDIA_STATUS_PEOPLE';

/**
 * People as configured by file: the variable holds a JSON array of people, or the path of a file
 * that does. Each is saved over the stored one of the same name when the store opens (the sidebar's
 * edits of such a person last until the next start).
 */
export function peopleFromSetting(value: string | undefined): { ok: true; people: Person[] } | { ok: false; error: string } {
  const text = value?.trim();
  if (!text) return { ok: true, people: [] };
  let source = text;
  if (!text.startsWith('[')) {
    try {
      source = readFileSync(text, 'utf8');
    } catch (err) {
      return { ok: false, error: `${PEOPLE_ENV}: ${(err as Error).message}` };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch {
    // Not V8's message: it quotes the text, and people's addresses (a Discord webhook's URL) are secrets.
    return { ok: false, error: `${PEOPLE_ENV}: not valid JSON` };
  }
  const parsed = PeopleSchema.safeParse(json);
  return parsed.success ? { ok: true, people: parsed.data } : { ok: false, error: `${PEOPLE_ENV}: ${formatIssues(parsed.error)}` };
}
