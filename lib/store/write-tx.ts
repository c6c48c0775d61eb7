import type { MediaType } from '../events';
import type { RequestRecord, ServiceHealth, TimelineEntry } from '../model';
import { lookupKeys, PENDING_KEY, recordKeys, requestKey, storedValues } from './keys';
import { LOOKUP_KEYS, type Candidate, type Key, type KeyedCandidate, type KeyQuery, type RequestTx } from './lookup';
import {
  CANDIDATE,
  DOWNLOAD_COLUMNS,
  downloadParams,
  EPISODE_COLUMNS,
  episodeParams,
  fromLoaded,
  insertScript,
  loadWith,
  REQUEST_COLUMNS,
  requestParams,
  TIMELINE_COLUMNS,
  timelineParams,
  toCandidate,
  type CandidateRow,
  type LoadedRow,
} from './rows';
import { literal, type Connection, type Params } from './sqlite';
import type { Transaction } from './write-queue';
import { TxConnection } from './tx-connection';

/** Shoko events kept for files not imported yet: at most this many, and this many bytes. */
const PENDING_LIMIT = 5000;
const PENDING_BYTES = 5 * 1024 * 1024;
/** Timeline entries a request keeps; past it the oldest progress entries go first, stage changes last. */
export const TIMELINE_LIMIT = 500;

/**
 * Requests written recently, with every fact they hold. Most events are about a request that is in
 * flight, so this saves a load and the duplicate check a round trip each. It is only ever read inside
 * the writer's transaction, dropped on rollback and whenever another connection has committed.
 */
const CACHE_LIMIT = 256;
type Cached = { record: RequestRecord; facts: Set<string>; timeline: TimelineTail };

/** What the writer knows of a request's timeline: how many entries, and the last one (see sameEntry). */
type TimelineTail = { count: number; last: string | null };
const sameEntry = (e: Pick<TimelineEntry, 'source' | 'event' | 'state' | 'detail'>) => JSON.stringify([e.source, e.event, e.state, e.detail]);

/** A request row with everything the writer needs: its episodes, downloads, facts and timeline's tail. */
const LOAD_FOR_WRITE = `${loadWith(`,
  (SELECT json_group_array(fact) FROM facts WHERE request_id = r.id) AS facts_json,
  (SELECT COUNT(*) FROM timeline WHERE request_id = r.id) AS timeline_count,
  (SELECT json_array(source, event, state, detail) FROM timeline WHERE request_id = r.id ORDER BY id DESC LIMIT 1) AS timeline_last`)} WHERE r.id = ?`;

/**
 * Requests with any of these keys, newest first, each row saying by which key and of which media type
 * (`select` picks a lookup's rows). ?1-?5: JSON arrays of Jellyseerr requests, download ids, TMDB, TVDB, IMDb ids.
 */
const BY_KEYS = `SELECT k.via, k.key, r.media_type, ${CANDIDATE} FROM (
    SELECT 'jellyseerrRequest' AS via, jellyseerr_request AS key, id FROM requests WHERE jellyseerr_request IN (SELECT value FROM json_each(?1))
    UNION ALL SELECT 'downloadId', id, request_id FROM downloads WHERE id IN (SELECT value FROM json_each(?2))
    UNION ALL SELECT 'tmdb', tmdb, id FROM requests WHERE media_type IN ('movie', 'tv') AND tmdb IN (SELECT value FROM json_each(?3))
    UNION ALL SELECT 'tvdb', tvdb, id FROM requests WHERE media_type IN ('movie', 'tv') AND tvdb IN (SELECT value FROM json_each(?4))
    UNION ALL SELECT 'imdb', imdb, id FROM requests WHERE media_type IN ('movie', 'tv') AND imdb IN (SELECT value FROM json_each(?5))
  ) k JOIN requests r ON r.id = k.id ORDER BY r.id DESC`;
type KeyRow = CandidateRow & { via: Key; key: string | number; media_type: MediaType };

/** The rows of one lookup (see Lookup.byKeys): media ids never across media types, download ids only when it says none. */
function select(rows: KeyRow[], query: KeyQuery): KeyedCandidate[] {
  const values = storedValues(query);
  return rows
    .filter((row) => values[row.via] === row.key)
    .filter((row) => row.via === 'jellyseerrRequest' || (query.mediaType ? row.media_type === query.mediaType : row.via === 'downloadId'))
    .map((row) => ({ ...toCandidate(row), via: row.via }));
}

/** What a transaction needs to know at its start: whether another connection wrote, the next request id, whether Shoko events wait. */
const TX_START = `SELECT (SELECT data_version FROM pragma_data_version) AS version,
  MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'requests'), 0), COALESCE((SELECT MAX(id) FROM requests), 0)) + 1 AS next_id,
  EXISTS (SELECT 1 FROM pending_events) AS pending`;

/**
 * A timeline entry: the same entry as the request's last one only counts it again; past the limit the
 * oldest entries go, progress before stage changes. The writer knows the request's timeline tail (see
 * LOAD_FOR_WRITE), so this is decided here and costs one statement.
 */
function timelineScript(requestId: number, entry: TimelineEntry, stageChange: boolean, tail: TimelineTail): string {
  const [, at, source, event, state, detail] = timelineParams(requestId, entry).map(literal);
  const key = sameEntry(entry);
  if (tail.last === key)
    return `UPDATE timeline SET count = count + 1, last_at = ${at} WHERE id = (SELECT MAX(id) FROM timeline WHERE request_id = ${requestId});`;
  tail.last = key;
  tail.count++;
  const insert = `INSERT INTO timeline (${TIMELINE_COLUMNS.join(', ')}, stage_change) VALUES (${requestId}, ${at}, ${source}, ${event}, ${state}, ${detail}, ${stageChange ? 1 : 0});`;
  if (tail.count <= TIMELINE_LIMIT) return insert;
  tail.count = TIMELINE_LIMIT;
  return `${insert}
    DELETE FROM timeline WHERE id IN (SELECT id FROM timeline WHERE request_id = ${requestId} ORDER BY stage_change, id
      LIMIT MAX(0, (SELECT COUNT(*) FROM timeline WHERE request_id = ${requestId}) - ${TIMELINE_LIMIT}));`;
}

/** A write transaction: what a write job may do (RequestTx), over one connection (see TxConnection). */
export class WriteTx implements RequestTx, Transaction<KeyQuery> {
  private readonly gate: TxConnection;
  private readonly cache = new Map<number, Cached>();
  private dataVersion = -1;
  private nextId = 1;
  /** No Shoko event is kept: an import need not look for any. */
  private noPending = false;
  /** The batch's lookups, made together when it began. */
  private prefetched: { keys: Set<string>; rows: KeyRow[] } | undefined;
  /** Requests written in the open transaction: announced once it commits. */
  private readonly touched = new Set<number>();

  constructor(db: Connection, writeBehind: boolean) {
    this.gate = new TxConnection(db, writeBehind);
  }

  /**
   * Start a write transaction; forget the cache if anyone else changed the file since. `queries` are
   * what the batch's jobs will look up: one statement for all of them instead of one each.
   */
  async begin(queries: KeyQuery[]): Promise<void> {
    await this.gate.begin();
    const row = (await this.gate.get<{ version: number; next_id: number; pending: number }>('any', TX_START))!;
    if (row.version !== this.dataVersion) this.cache.clear();
    this.dataVersion = row.version;
    this.nextId = row.next_id;
    this.noPending = row.pending === 0;
    this.prefetched = queries.length ? { keys: new Set(queries.flatMap(lookupKeys)), rows: await this.keyRows(queries) } : undefined;
  }

  /** Commit; the requests it changed. */
  async commit(): Promise<number[]> {
    this.prefetched = undefined;
    await this.gate.commit();
    const touched = [...this.touched];
    this.touched.clear();
    return touched;
  }

  async rollback(): Promise<void> {
    this.cache.clear();
    this.touched.clear();
    this.prefetched = undefined;
    await this.gate.rollback();
  }

  private remember(record: RequestRecord, facts: Set<string>, timeline: TimelineTail): void {
    this.touched.add(record.id);
    this.cache.delete(record.id);
    this.cache.set(record.id, { record, facts, timeline });
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
  }

  private async cached(id: number): Promise<Cached | undefined> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const row = await this.gate.get<LoadedRow & { facts_json: string; timeline_count: number; timeline_last: string | null }>(
      [requestKey(id)],
      LOAD_FOR_WRITE,
      [id],
    );
    if (!row) return undefined;
    const entry = {
      record: fromLoaded(row),
      facts: new Set(JSON.parse(row.facts_json) as string[]),
      timeline: { count: row.timeline_count, last: row.timeline_last && JSON.stringify(JSON.parse(row.timeline_last)) },
    };
    this.remember(entry.record, entry.facts, entry.timeline);
    return entry;
  }

  private async candidates(sql: string, params: Params): Promise<Candidate[]> {
    return (await this.gate.all<CandidateRow>('any', sql, params)).map(toCandidate);
  }

  async byKeys(query: KeyQuery): Promise<KeyedCandidate[]> {
    const keys = lookupKeys(query);
    const prefetched = this.prefetched;
    if (prefetched && keys.every((key) => prefetched.keys.has(key)) && !this.gate.wrote(keys)) return select(prefetched.rows, query);
    return select(await this.keyRows([query], keys), query);
  }

  private keyRows(queries: KeyQuery[], keys: string[] | 'any' = 'any'): Promise<KeyRow[]> {
    const values = queries.map(storedValues);
    const list = (key: Key) => JSON.stringify([...new Set(values.map((v) => v[key]).filter((v) => v !== undefined))]);
    return this.gate.all<KeyRow>(keys, BY_KEYS, LOOKUP_KEYS.map(list));
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

  async load(id: number): Promise<RequestRecord | undefined> {
    return (await this.cached(id))?.record;
  }

  async newFacts(requestId: number, facts: string[]): Promise<string[]> {
    const known = (await this.cached(requestId))?.facts ?? new Set<string>();
    return [...new Set(facts)].filter((fact) => !known.has(fact));
  }

  async create(record: RequestRecord, entry: TimelineEntry, facts: string[]): Promise<RequestRecord> {
    const saved = { ...record, id: this.nextId++ };
    const id = saved.id;
    const timeline: TimelineTail = { count: 0, last: null };
    this.remember(saved, new Set(facts), timeline);
    await this.gate.write(
      [
        insertScript('requests', ['id', ...REQUEST_COLUMNS], [[id, ...requestParams(saved)]], 'INSERT'),
        insertScript(
          'episodes',
          EPISODE_COLUMNS,
          saved.episodes.map((e) => episodeParams(id, e)),
        ),
        insertScript(
          'downloads',
          DOWNLOAD_COLUMNS,
          saved.downloads.map((d) => downloadParams(id, d)),
        ),
        timelineScript(id, entry, true, timeline),
        insertScript(
          'facts',
          ['request_id', 'fact'],
          [...new Set(facts)].map((fact) => [id, fact]),
          'INSERT OR IGNORE',
        ),
      ].join('\n'),
      recordKeys(saved),
    );
    return saved;
  }

  async update(before: RequestRecord, after: RequestRecord, entry: TimelineEntry | null, facts: string[]): Promise<RequestRecord> {
    const id = before.id;
    // Loaded by the same job (and so cached): its facts and timeline tail are the stored ones.
    const known = await this.cached(id);
    if (!known) throw new Error(`request ${id} is not stored: it cannot be updated`);
    // The reducer shares the episodes an event left alone with `before` (copy on write): write the others.
    const unchanged = new Set(before.episodes);
    const changedEpisodes = after.episodes.filter((e) => !unchanged.has(e));
    const oldDownloads = new Map(before.downloads.map((d) => [d.id, JSON.stringify(d)]));
    const changedDownloads = after.downloads.filter((d) => oldDownloads.get(d.id) !== JSON.stringify(d));
    const kept = new Set(after.downloads.map((d) => d.id));
    const dropped = before.downloads.filter((d) => !kept.has(d.id)).map((d) => d.id);
    const values = requestParams(after);
    const saved = { ...after, id };
    facts.forEach((fact) => known.facts.add(fact));
    this.remember(saved, known.facts, known.timeline);
    await this.gate.write(
      [
        `UPDATE requests SET ${REQUEST_COLUMNS.map((c, i) => `${c} = ${literal(values[i] ?? null)}`).join(', ')} WHERE id = ${id};`,
        insertScript(
          'episodes',
          EPISODE_COLUMNS,
          changedEpisodes.map((e) => episodeParams(id, e)),
        ),
        insertScript(
          'downloads',
          DOWNLOAD_COLUMNS,
          changedDownloads.map((d) => downloadParams(id, d)),
        ),
        dropped.length ? `DELETE FROM downloads WHERE request_id = ${id} AND id IN (${dropped.map(literal).join(', ')});` : '',
        entry ? timelineScript(id, entry, entry.state !== before.state, known.timeline) : '',
        insertScript(
          'facts',
          ['request_id', 'fact'],
          facts.map((fact) => [id, fact]),
          'INSERT OR IGNORE',
        ),
      ].join('\n'),
      [...recordKeys(before), ...recordKeys(saved)],
    );
    return saved;
  }

  async noteHealth(notice: ServiceHealth | { instance: string; cleared: true }): Promise<void> {
    const script =
      'cleared' in notice
        ? `DELETE FROM service_health WHERE instance = ${literal(notice.instance)};`
        : insertScript(
            'service_health',
            ['instance', 'source', 'level', 'message', 'check_type', 'at'],
            [[notice.instance, notice.source, notice.level, notice.message, notice.check, notice.at]],
          );
    await this.gate.write(script, [`health:${notice.instance}`]);
  }

  async saveCursor(source: string, cursor: string, at: string): Promise<void> {
    await this.gate.write(insertScript('sync_cursors', ['source', 'cursor', 'updated_at'], [[source, cursor, at]]), [`cursor:${source}`]);
  }

  /**
   * Keep ETAs as given (request id, when, its state then, the ETA or null), and give every open one
   * whose request became AVAILABLE its actual time.
   */
  async predict(rows: [number, string, string, string | null][]): Promise<void> {
    await this.gate.write(
      [
        insertScript('eta_predictions', ['request_id', 'made_at', 'state', 'eta_at'], rows, 'INSERT'),
        `UPDATE eta_predictions SET actual_at = (SELECT available_at FROM requests r WHERE r.id = eta_predictions.request_id)
          WHERE actual_at IS NULL AND request_id IN (SELECT id FROM requests WHERE available_at IS NOT NULL);`,
      ].join('\n'),
      ['predictions'],
    );
  }

  async forgetRequest(id: number): Promise<number> {
    this.cache.delete(id);
    this.touched.add(id);
    return (await this.gate.writeNow<{ id: number }>('DELETE FROM requests WHERE id = ? RETURNING id', [id])).length;
  }

  /** Forget finished requests (AVAILABLE or FAILED) last changed before `before`, with everything they hold. */
  async forgetFinished(before: string): Promise<number[]> {
    this.cache.clear();
    const rows = await this.gate.writeNow<{ id: number }>("DELETE FROM requests WHERE state IN ('AVAILABLE', 'FAILED') AND updated_at < ? RETURNING id", [
      before,
    ]);
    return rows.map((r) => r.id);
  }
}
