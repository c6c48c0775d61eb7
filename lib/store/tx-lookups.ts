import type { MediaType } from '../events';
import { lookupKeys, PENDING_KEY, storedValues } from './keys';
import { LOOKUP_KEYS, type Candidate, type Key, type KeyedCandidate, type KeyQuery } from './lookup';
import { insertScript } from './rows';
import { CANDIDATE, toCandidate, type CandidateRow } from './load';
import type { Params } from './sqlite';
import type { TxConnection } from './tx-connection';

/** Shoko events kept for files not imported yet: at most this many, and this many bytes. */
const PENDING_LIMIT = 5000;
const PENDING_BYTES = 5 * 1024 * 1024;

/**
 * Requests with any of these keys, newest first, each row saying by which key and of which media type
 * (`select` picks a lookup's rows). ?1-?5: JSON arrays of Jellyseerr requests, download ids, TMDB, TVDB, IMDb ids.
 */
const KEY_ROWS = `SELECT k.via, k.key, r.media_type, ${CANDIDATE} FROM (
    SELECT 'jellyseerrRequest' AS via, jellyseerr_request AS key, id FROM requests WHERE jellyseerr_request IN (SELECT value FROM json_each(?1))
    UNION ALL SELECT 'downloadId', id, request_id FROM downloads WHERE id IN (SELECT value FROM json_each(?2))
    UNION ALL SELECT 'tmdb', tmdb, id FROM requests WHERE media_type IN ('movie', 'tv') AND tmdb IN (SELECT value FROM json_each(?3))
    UNION ALL SELECT 'tvdb', tvdb, id FROM requests WHERE media_type IN ('movie', 'tv') AND tvdb IN (SELECT value FROM json_each(?4))
    UNION ALL SELECT 'imdb', imdb, id FROM requests WHERE media_type IN ('movie', 'tv') AND imdb IN (SELECT value FROM json_each(?5))
  ) k JOIN requests r ON r.id = k.id`;
const BY_KEYS = `${KEY_ROWS} ORDER BY r.id DESC`;
type KeyRow = CandidateRow & { via: Key; key: string | number; media_type: MediaType };

/** What a write transaction needs to know at its start: whether another connection wrote, the next request id, whether Shoko events wait. */
const START = `SELECT (SELECT data_version FROM pragma_data_version) AS version,
  MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'requests'), 0), COALESCE((SELECT MAX(id) FROM requests), 0)) + 1 AS next_id,
  EXISTS (SELECT 1 FROM pending_events) AS pending`;
/** START and the batch's lookups (see BY_KEYS) in one statement, so they see one moment of the database. */
const START_WITH_KEYS = `SELECT s.*, k.* FROM (${START}) s LEFT JOIN (${KEY_ROWS}) k ON 1 ORDER BY k.id DESC`;
type TxStart = { version: number; next_id: number; pending: number };

/** BY_KEYS's parameters for these lookups. */
function keyParams(queries: KeyQuery[]): Params {
  const values = queries.map(storedValues);
  const list = (key: Key) => JSON.stringify([...new Set(values.map((v) => v[key]).filter((v) => v !== undefined))]);
  return LOOKUP_KEYS.map(list);
}

/** The rows of one lookup (see Lookup.byKeys): media ids never across media types, download ids only when it says none. */
function select(rows: KeyRow[], query: KeyQuery): KeyedCandidate[] {
  const values = storedValues(query);
  return rows
    .filter((row) => values[row.via] === row.key)
    .filter((row) => row.via === 'jellyseerrRequest' || (query.mediaType ? row.media_type === query.mediaType : row.via === 'downloadId'))
    .map((row) => ({ ...toCandidate(row), via: row.via }));
}

/**
 * What a write transaction reads to find the request of an event (see lookup.ts), and the Shoko
 * events that wait for their file's import: the reading half of WriteTx.
 */
export abstract class TxLookups {
  /** No Shoko event is kept: an import need not look for any. */
  protected noPending = false;
  /** The batch's lookups, made together when it began. */
  protected prefetched: { keys: Set<string>; rows: KeyRow[] } | undefined;

  protected constructor(protected readonly gate: TxConnection) {}

  private async candidates(sql: string, params: Params): Promise<Candidate[]> {
    return (await this.gate.all<CandidateRow>('any', sql, params)).map(toCandidate);
  }

  async byKeys(query: KeyQuery): Promise<KeyedCandidate[]> {
    const keys = lookupKeys(query);
    const prefetched = this.prefetched;
    if (prefetched && keys.every((key) => prefetched.keys.has(key)) && !this.gate.wrote(keys)) return select(prefetched.rows, query);
    return select(await this.keyRows([query], keys), query);
  }

  private keyRows(queries: KeyQuery[], keys: string[]): Promise<KeyRow[]> {
    return this.gate.all<KeyRow>(keys, BY_KEYS, keyParams(queries));
  }

  /** What the transaction starts from, and the rows of the batch's lookups (`queries`), kept for byKeys. */
  protected async start(queries: KeyQuery[]): Promise<TxStart> {
    if (!queries.length) {
      this.prefetched = undefined;
      return (await this.gate.get<TxStart>('any', START))!;
    }
    const rows = await this.gate.all<TxStart & KeyRow>('any', START_WITH_KEYS, keyParams(queries));
    this.prefetched = { keys: new Set(queries.flatMap(lookupKeys)), rows: rows.filter((row) => row.via !== null) };
    return rows[0]!;
  }

  byEpisodeTvdb(tvdbId: number): Promise<Candidate[]> {
    return this.candidates(`SELECT ${CANDIDATE} FROM episodes e JOIN requests r ON r.id = e.request_id WHERE e.tvdb_id = ? ORDER BY r.id DESC LIMIT 20`, [
      tvdbId,
    ]);
  }

  byFileName(name: string): Promise<Candidate[]> {
    return this.byFile('final_name', name);
  }

  byShokoFileId(fileId: number): Promise<Candidate[]> {
    return this.byFile('shoko_file_id', fileId);
  }

  /** Requests whose movie or one of whose episodes has this value in a file column. */
  private byFile(column: 'final_name' | 'shoko_file_id', value: string | number): Promise<Candidate[]> {
    return this.candidates(
      `SELECT ${CANDIDATE} FROM requests r WHERE r.id IN (
         SELECT id FROM requests WHERE ${column} = ? UNION SELECT request_id FROM episodes WHERE ${column} = ?)
       ORDER BY r.id DESC LIMIT 20`,
      [value, value],
    );
  }

  bySeriesEpisode(title: string, season: number, episode: number): Promise<Candidate[]> {
    return this.candidates(
      `SELECT ${CANDIDATE} FROM requests r JOIN episodes e ON e.request_id = r.id AND e.season = ? AND e.episode = ?
       WHERE r.media_type = 'tv' AND r.title = ? COLLATE NOCASE ORDER BY r.id DESC LIMIT 20`,
      [season, episode, title],
    );
  }

  async keepPending(fileName: string, event: unknown, at: string): Promise<void> {
    this.noPending = false;
    const json = JSON.stringify(event);
    await this.gate.write(
      // Bounded in number and size: a file that is never imported must not keep its events forever.
      `${insertScript('pending_events', ['file_name', 'event', 'at', 'size'], [[fileName, json, at, Buffer.byteLength(json)]], 'INSERT')}
       DELETE FROM pending_events WHERE id <= (SELECT MAX(id) FROM pending_events) - ${PENDING_LIMIT};
       DELETE FROM pending_events WHERE id <= (SELECT id FROM (SELECT id, SUM(size) OVER (ORDER BY id DESC) AS total FROM pending_events)
         WHERE total > ${PENDING_BYTES} ORDER BY id DESC LIMIT 1);`,
      [PENDING_KEY],
    );
  }

  async takePending(fileNames: string[]): Promise<unknown[]> {
    if (!fileNames.length || this.noPending) return [];
    const rows = await this.gate.all<{ id: number; event: string }>(
      [PENDING_KEY],
      'SELECT id, event FROM pending_events WHERE file_name IN (SELECT value FROM json_each(?)) ORDER BY id',
      [JSON.stringify([...new Set(fileNames)])],
    );
    if (rows.length) await this.gate.write(`DELETE FROM pending_events WHERE id IN (${rows.map((r) => r.id).join(', ')});`, [PENDING_KEY]);
    return rows.map((r) => JSON.parse(r.event) as unknown);
  }
}
