import { PersonSchema, type StoredPerson } from '../people/person';
import type { WeekSummary } from '../people/weekly';
import type { Connection } from './sqlite';

type PersonRow = { id: number; name: string; settings: string; updated_at: string };

/** A stored person; settings the schema no longer takes fall back to its defaults (never a crash on read). */
export function personOf(row: PersonRow): StoredPerson {
  let raw: unknown = {};
  try {
    raw = JSON.parse(row.settings);
  } catch {
    // Kept as the defaults below.
  }
  const parsed = PersonSchema.safeParse({ ...(raw as object), name: row.name });
  const person = parsed.success ? parsed.data : PersonSchema.parse({ name: row.name });
  return { ...person, id: row.id, updatedAt: row.updated_at };
}

const PERSON = 'SELECT p.id, p.name, p.settings, p.updated_at FROM people p';
/** The requests a person is concerned by (?1 their name, ?2 their id): theirs and the ones they follow. */
const CONCERNED = `SELECT id FROM requests WHERE requested_by = ?1 COLLATE NOCASE UNION SELECT request_id FROM follows WHERE person_id = ?2`;

/** The people queries, on the reader's connection. */
export class PeopleReads {
  constructor(private readonly db: Connection) {}

  async list(): Promise<StoredPerson[]> {
    return (await this.db.all<PersonRow>(`${PERSON} ORDER BY p.name COLLATE NOCASE`)).map(personOf);
  }

  async byId(id: number): Promise<StoredPerson | undefined> {
    const row = await this.db.get<PersonRow>(`${PERSON} WHERE p.id = ?`, [id]);
    return row && personOf(row);
  }

  /** The person a personal link (by its id) belongs to. */
  async byLink(linkId: string): Promise<StoredPerson | undefined> {
    const row = await this.db.get<PersonRow>(`${PERSON} JOIN person_links l ON l.person_id = p.id WHERE l.id = ?`, [linkId]);
    return row && personOf(row);
  }

  async links(personId: number): Promise<{ id: string; createdAt: string }[]> {
    const rows = await this.db.all<{ id: string; created_at: string }>('SELECT id, created_at FROM person_links WHERE person_id = ? ORDER BY created_at', [
      personId,
    ]);
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at }));
  }

  /** The people a request's news concerns: its requester (by name) and its followers. */
  async audience(requestId: number): Promise<StoredPerson[]> {
    const rows = await this.db.all<PersonRow>(
      `${PERSON} WHERE p.name = (SELECT requested_by FROM requests WHERE id = ?1) COLLATE NOCASE
         OR p.id IN (SELECT person_id FROM follows WHERE request_id = ?1) ORDER BY p.id`,
      [requestId],
    );
    return rows.map(personOf);
  }

  /** The requests this person is concerned by, with whether each is followed (rather than their own). */
  async requestsOf(person: Pick<StoredPerson, 'id' | 'name'>): Promise<{ own: number[]; followed: number[] }> {
    const own = await this.db.all<{ id: number }>('SELECT id FROM requests WHERE requested_by = ? COLLATE NOCASE ORDER BY id DESC', [person.name]);
    const followed = await this.db.all<{ id: number }>('SELECT request_id AS id FROM follows WHERE person_id = ? ORDER BY request_id DESC', [person.id]);
    return { own: own.map((r) => r.id), followed: followed.map((r) => r.id) };
  }

  /** What became ready since `since` among the requests a person is concerned by (removed ones aside). */
  async week(person: Pick<StoredPerson, 'id' | 'name'>, since: string): Promise<WeekSummary> {
    const movies = await this.db.all<{ title: string | null }>(
      `SELECT title FROM requests WHERE id IN (${CONCERNED}) AND media_type = 'movie' AND available_at >= ?3 AND removed_at IS NULL ORDER BY available_at`,
      [person.name, person.id, since],
    );
    const shows = await this.db.all<{ title: string | null; episodes: number }>(
      `SELECT r.title, COUNT(*) AS episodes FROM episodes e JOIN requests r ON r.id = e.request_id
       WHERE r.id IN (${CONCERNED}) AND e.available_at >= ?3 AND e.removed_at IS NULL GROUP BY r.id ORDER BY MIN(e.available_at)`,
      [person.name, person.id, since],
    );
    return {
      movies: movies.length,
      episodes: shows.reduce((sum, s) => sum + s.episodes, 0),
      titles: [...movies, ...shows].map((r) => r.title).filter((t): t is string => !!t),
    };
  }

  /** The store's key of this name (the personal links' signing key), when made. */
  async key(name: string): Promise<Buffer | undefined> {
    const hex = (await this.db.get<{ value: string }>('SELECT value FROM store_keys WHERE name = ?', [name]))?.value;
    return hex === undefined ? undefined : Buffer.from(hex, 'hex');
  }
}
