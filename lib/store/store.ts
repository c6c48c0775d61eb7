import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SourceSchema, type MediaType } from '../events';
import { RequestStateSchema, type RequestState } from '../states';
import type { Candidate, Key, KeyedCandidate, KeyQuery, Lookup } from '../tracker/correlate';
import type { StatsRow } from '../tracker/stats';
import type { Attention, DownloadRecord, EpisodeRecord, RequestRecord, TimelineEntry } from '../tracker/model';
import { fileNameOf } from '../tracker/paths';
import { migrate } from './migrations';
import { Connection, literal, type Params } from './sqlite';

/**
 * The only code that knows SQL. One writer connection with one queue: write jobs run one at a time in
 * arrival order; jobs that queue up while a transaction is open share the next commit (group commit),
 * and each job's promise settles only after that commit. If a job fails, the whole batch is rolled
 * back and its jobs are replayed one per transaction, so a failure never takes others with it.
 * Reads use a second connection, so they only ever see committed data.
 *
 * Throughput is bound by round trips to SQLite's thread, not by CPU, so a record loads in one query
 * (episodes and downloads aggregated as JSON) and independent statements are issued together.
 */

/** A download the store is waiting on, and how many episodes share it (more than one: a season pack). */
export interface ActiveDownload {
  id: string;
  episodes: number;
}

export interface ListFilter {
  states?: RequestState[];
  /** Only requests that are neither AVAILABLE nor FAILED. */
  activeOnly?: boolean;
  requestedBy?: string;
  limit: number;
  offset?: number;
}

const REQUEST_COLUMNS = [
  'media_type',
  'title',
  'year',
  'is_anime',
  'stage',
  'state',
  'requested_by',
  'poster_url',
  'info_source',
  'requested_seasons',
  'jellyseerr_request',
  'tmdb',
  'tvdb',
  'imdb',
  'radarr',
  'sonarr',
  'jellyfin',
  'download_id',
  'final_path',
  'final_name',
  'shoko_file_id',
  'attention',
  'created_at',
  'updated_at',
  'state_changed_at',
  'available_at',
  'progress_at',
];
const EPISODE_COLUMNS = [
  'request_id',
  'season',
  'episode',
  'title',
  'state',
  'download_id',
  'final_path',
  'final_name',
  'tvdb_id',
  'jellyfin_id',
  'shoko_file_id',
  'progress',
];
const DOWNLOAD_COLUMNS = ['request_id', 'id', 'progress', 'state', 'speed', 'eta_seconds'];
const CANDIDATE = 'r.id, r.state, r.jellyseerr_request, r.requested_seasons';
const BATCH_LIMIT = 256;
/** Shoko events kept for files not imported yet. */
const PENDING_LIMIT = 5000;

type RequestRow = {
  id: number;
  media_type: MediaType;
  title: string | null;
  year: number | null;
  is_anime: number;
  stage: string;
  state: string;
  requested_by: string | null;
  poster_url: string | null;
  info_source: string | null;
  requested_seasons: string;
  jellyseerr_request: number | null;
  tmdb: number | null;
  tvdb: number | null;
  imdb: string | null;
  radarr: number | null;
  sonarr: number | null;
  jellyfin: string | null;
  download_id: string | null;
  final_path: string | null;
  shoko_file_id: number | null;
  attention: string | null;
  created_at: string;
  updated_at: string;
  state_changed_at: string;
  available_at: string | null;
  progress_at: string;
};
type LoadedRow = RequestRow & { episodes_json: string; downloads_json: string };
type CandidateRow = { id: number; state: string; jellyseerr_request: number | null; requested_seasons: string };

const state = (value: string) => RequestStateSchema.parse(value);

/** The file name Shoko events are looked up by (a TV request's final path is its folder: no file). */
const fileName = (path: string | null) => (path ? fileNameOf(path) : null);

function requestParams(r: RequestRecord): Params {
  return [
    r.mediaType,
    r.title,
    r.year,
    r.isAnime ? 1 : 0,
    r.stage,
    r.state,
    r.requestedBy,
    r.posterUrl,
    r.infoSource,
    JSON.stringify(r.requestedSeasons),
    r.ids.jellyseerrRequest,
    r.ids.tmdb,
    r.ids.tvdb,
    r.ids.imdb,
    r.ids.radarr,
    r.ids.sonarr,
    r.ids.jellyfin,
    r.downloadId,
    r.finalPath,
    r.mediaType === 'movie' ? fileName(r.finalPath) : null,
    r.shokoFileId,
    r.attention && JSON.stringify(r.attention),
    r.createdAt,
    r.updatedAt,
    r.stateChangedAt,
    r.availableAt,
    r.progressAt,
  ];
}

function episodeParams(requestId: number, e: EpisodeRecord): Params {
  return [
    requestId,
    e.season,
    e.episode,
    e.title,
    e.state,
    e.downloadId,
    e.finalPath,
    fileName(e.finalPath),
    e.tvdbId,
    e.jellyfinId,
    e.shokoFileId,
    e.progress,
  ];
}

function downloadParams(requestId: number, d: DownloadRecord): Params {
  return [requestId, d.id, d.progress, d.state, d.speed, d.etaSeconds];
}

/** Episode and download columns in the order the JSON aggregates below list them. */
type EpisodeTuple = [number, number, string | null, string, string | null, string | null, number | null, string | null, number | null, number | null];
type DownloadTuple = [string, number, string, number | null, number | null];

function toEpisodes(json: string): EpisodeRecord[] {
  return (JSON.parse(json) as EpisodeTuple[]).map(([season, episode, title, st, downloadId, finalPath, tvdbId, jellyfinId, shokoFileId, progress]) => ({
    season,
    episode,
    title,
    state: state(st) as EpisodeRecord['state'],
    downloadId,
    finalPath,
    tvdbId,
    jellyfinId,
    shokoFileId,
    progress,
  }));
}

function toDownloads(json: string): DownloadRecord[] {
  return (JSON.parse(json) as DownloadTuple[]).map(([id, progress, st, speed, etaSeconds]) => ({
    id,
    progress,
    state: state(st) as DownloadRecord['state'],
    speed,
    etaSeconds,
  }));
}

function toRecord(row: RequestRow, episodes: EpisodeRecord[], downloads: DownloadRecord[]): RequestRecord {
  return {
    id: row.id,
    mediaType: row.media_type,
    title: row.title,
    year: row.year,
    isAnime: row.is_anime === 1,
    stage: state(row.stage),
    state: state(row.state),
    requestedBy: row.requested_by,
    posterUrl: row.poster_url,
    infoSource: row.info_source === null ? null : SourceSchema.parse(row.info_source),
    requestedSeasons: JSON.parse(row.requested_seasons) as number[],
    ids: {
      jellyseerrRequest: row.jellyseerr_request,
      tmdb: row.tmdb,
      tvdb: row.tvdb,
      imdb: row.imdb,
      radarr: row.radarr,
      sonarr: row.sonarr,
      jellyfin: row.jellyfin,
    },
    downloadId: row.download_id,
    finalPath: row.final_path,
    shokoFileId: row.shoko_file_id,
    attention: row.attention ? (JSON.parse(row.attention) as Attention) : null,
    episodes,
    downloads,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    stateChangedAt: row.state_changed_at,
    availableAt: row.available_at,
    progressAt: row.progress_at,
  };
}

function toCandidate(row: CandidateRow): Candidate {
  return { id: row.id, state: state(row.state), jellyseerrRequest: row.jellyseerr_request, requestedSeasons: JSON.parse(row.requested_seasons) as number[] };
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** An insert of many rows as one statement of literals. */
function insertScript(table: string, columns: string[], rows: Params[], verb = 'INSERT OR REPLACE'): string {
  if (!rows.length) return '';
  return `${verb} INTO ${table} (${columns.join(', ')}) VALUES ${rows.map((row) => `(${row.map(literal).join(', ')})`).join(', ')};`;
}

/** A request row with its episodes and downloads, in one statement. */
const loadWith = (extra = '') => `SELECT r.*,
  (SELECT json_group_array(json_array(season, episode, title, state, download_id, final_path, tvdb_id, jellyfin_id, shoko_file_id, progress) ORDER BY season, episode)
     FROM episodes WHERE request_id = r.id) AS episodes_json,
  (SELECT json_group_array(json_array(id, progress, state, speed, eta_seconds) ORDER BY id) FROM downloads WHERE request_id = r.id) AS downloads_json${extra}
  FROM requests r`;
const LOAD = loadWith();

function fromLoaded(row: LoadedRow): RequestRecord {
  return toRecord(row, toEpisodes(row.episodes_json), toDownloads(row.downloads_json));
}

async function loadRecord(db: Connection, id: number): Promise<RequestRecord | undefined> {
  const row = await db.get<LoadedRow>(`${LOAD} WHERE r.id = ?`, [id]);
  return row && fromLoaded(row);
}

/**
 * Requests written recently, with every fact they hold. Most events are about a request that is in
 * flight, so this saves a load and the duplicate check a round trip each. It is only ever read inside
 * the writer's transaction, dropped on rollback and whenever another connection has committed.
 */
const CACHE_LIMIT = 256;
type Cached = { record: RequestRecord; facts: Set<string> };

/** A request row with everything the writer needs: its episodes, downloads and facts. */
const LOAD_FOR_WRITE = `${loadWith(',\n  (SELECT json_group_array(fact) FROM facts WHERE request_id = r.id) AS facts_json')} WHERE r.id = ?`;

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
const LOOKUP_KEYS: Key[] = ['jellyseerrRequest', 'downloadId', 'tmdb', 'tvdb', 'imdb'];
type KeyRow = CandidateRow & { via: Key; key: string | number; media_type: MediaType };

/** A lookup's values (download ids upper case, as stored). */
function valuesOf(query: KeyQuery): Partial<Record<Key, string | number>> {
  return { ...query, downloadId: query.downloadId?.toUpperCase() };
}

/** The rows of one lookup (see Lookup.byKeys): media ids never across media types, download ids only when it says none. */
function select(rows: KeyRow[], query: KeyQuery): KeyedCandidate[] {
  const values = valuesOf(query);
  return rows
    .filter((row) => values[row.via] === row.key)
    .filter((row) => row.via === 'jellyseerrRequest' || (query.mediaType ? row.media_type === query.mediaType : row.via === 'downloadId'))
    .map((row) => ({ ...toCandidate(row), via: row.via }));
}

/** What a transaction needs to know at its start: whether another connection wrote, the next request id, whether Shoko events wait. */
const TX_START = `SELECT (SELECT data_version FROM pragma_data_version) AS version,
  MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'requests'), 0), COALESCE((SELECT MAX(id) FROM requests), 0)) + 1 AS next_id,
  EXISTS (SELECT 1 FROM pending_events) AS pending`;

/** The correlation keys (see BY_KEYS) and the id a request can be read by: what unsent writes to it could change. */
function keysOf(r: RequestRecord): string[] {
  const { jellyseerrRequest, tmdb, tvdb, imdb } = r.ids;
  const downloads = [r.downloadId, ...r.downloads.map((d) => d.id), ...r.episodes.map((e) => e.downloadId)];
  return [`id:${r.id}`, ...lookupKeys({ jellyseerrRequest, tmdb, tvdb, imdb }), ...downloads.flatMap((downloadId) => lookupKeys({ downloadId }))];
}

/** The keys a lookup (see BY_KEYS) is by. */
function lookupKeys(query: Partial<Record<Key, string | number | null>>): string[] {
  return LOOKUP_KEYS.filter((key) => query[key] !== null && query[key] !== undefined).map(
    (key) => `${key}:${key === 'downloadId' ? String(query[key]).toUpperCase() : query[key]}`,
  );
}

const PENDING = 'pending';

/**
 * What a write job may do: correlate (Lookup), load, check facts, save, keep events for later.
 *
 * Each statement is a round trip to SQLite's thread, which costs more than the statement itself. So
 * writes are not sent one by one: they wait in `unsent` and go with the COMMIT, or before the first
 * read that could see them (a lookup by a key, or a load by the id, of a request they change).
 */
export class WriteTx implements Lookup {
  private readonly cache = new Map<number, Cached>();
  private dataVersion = -1;
  private nextId = 1;
  /** No Shoko event is kept: an import need not look for any. */
  private noPending = false;
  private unsent: string[] = [];
  /**
   * Keys (see keysOf) of every request this transaction wrote, before and after: a read by one of them
   * sends the unsent writes first, and the batch's prefetched rows for it are stale.
   */
  private readonly writtenKeys = new Set<string>();
  /** The batch's lookups, made together when it began. */
  private prefetched: { keys: Set<string>; rows: KeyRow[] } | undefined;
  /** Requests written in the open transaction: announced once it commits. */
  readonly touched = new Set<number>();

  constructor(private readonly db: Connection) {}

  /**
   * Start a write transaction; forget the cache if anyone else changed the file since. `lookups` are
   * what the batch's jobs will look up: one statement for all of them instead of one each.
   */
  async begin(lookups: KeyQuery[] = []): Promise<void> {
    await this.db.exec('BEGIN IMMEDIATE');
    this.writtenKeys.clear();
    const row = (await this.db.get<{ version: number; next_id: number; pending: number }>(TX_START))!;
    if (row.version !== this.dataVersion) this.cache.clear();
    this.dataVersion = row.version;
    this.nextId = row.next_id;
    this.noPending = row.pending === 0;
    this.prefetched = lookups.length ? { keys: new Set(lookups.flatMap(lookupKeys)), rows: await this.keyRows(lookups) } : undefined;
  }

  /** Send the writes not sent yet, and commit. */
  async commit(): Promise<void> {
    this.prefetched = undefined;
    await this.send([...this.unsent, 'COMMIT;'].join('\n'));
  }

  async rollback(): Promise<void> {
    this.cache.clear();
    this.touched.clear();
    this.prefetched = undefined;
    this.unsent = [];
    await this.db.exec('ROLLBACK').catch(() => undefined);
  }

  private async send(script: string): Promise<void> {
    this.unsent = [];
    await this.db.exec(script);
  }

  private write(script: string, keys: string[]): void {
    if (!script) return;
    this.unsent.push(script);
    keys.forEach((key) => this.writtenKeys.add(key));
  }

  /** Before a read: send the unsent writes if the read could see one of them (any, without keys). */
  private async readingAfter(keys?: string[]): Promise<void> {
    if (this.unsent.length && (!keys || keys.some((key) => this.writtenKeys.has(key)))) await this.send(this.unsent.join('\n'));
  }

  private remember(record: RequestRecord, facts: Set<string>): void {
    this.touched.add(record.id);
    this.cache.delete(record.id);
    this.cache.set(record.id, { record, facts });
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
  }

  private async cached(id: number): Promise<Cached | undefined> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    await this.readingAfter([`id:${id}`]);
    const row = await this.db.get<LoadedRow & { facts_json: string }>(LOAD_FOR_WRITE, [id]);
    if (!row) return undefined;
    const entry = { record: fromLoaded(row), facts: new Set(JSON.parse(row.facts_json) as string[]) };
    this.remember(entry.record, entry.facts);
    return entry;
  }

  private async candidates(sql: string, params: Params): Promise<Candidate[]> {
    await this.readingAfter();
    return (await this.db.all<CandidateRow>(sql, params)).map(toCandidate);
  }

  async byKeys(query: KeyQuery): Promise<KeyedCandidate[]> {
    const keys = lookupKeys(query);
    const prefetched = this.prefetched;
    if (prefetched && keys.every((key) => prefetched.keys.has(key) && !this.writtenKeys.has(key))) return select(prefetched.rows, query);
    await this.readingAfter(keys);
    return select(await this.keyRows([query]), query);
  }

  private keyRows(lookups: KeyQuery[]): Promise<KeyRow[]> {
    const values = lookups.map(valuesOf);
    const list = (key: Key) => JSON.stringify([...new Set(values.map((v) => v[key]).filter((v) => v !== undefined))]);
    return this.db.all<KeyRow>(BY_KEYS, LOOKUP_KEYS.map(list));
  }

  byEpisodeTvdb(tvdbId: number): Promise<Candidate[]> {
    return this.candidates(`SELECT ${CANDIDATE} FROM episodes e JOIN requests r ON r.id = e.request_id WHERE e.tvdb_id = ? ORDER BY r.id DESC LIMIT 20`, [
      tvdbId,
    ]);
  }

  /** Requests holding an imported file of this name (a movie's file, or an episode's). */
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

  /** Keep an event that matched nothing yet (a Shoko file seen before its import), under its file name. */
  keepPending(name: string, event: unknown, at: string): void {
    this.noPending = false;
    this.write(
      // Bounded: a file that is never imported must not keep its events forever.
      `${insertScript('pending_events', ['file_name', 'event', 'at'], [[name, JSON.stringify(event), at]], 'INSERT')}
       DELETE FROM pending_events WHERE id <= (SELECT MAX(id) FROM pending_events) - ${PENDING_LIMIT};`,
      [PENDING],
    );
  }

  /** Remove and return the kept events for these file names, oldest first. */
  async takePending(names: string[]): Promise<unknown[]> {
    if (!names.length || this.noPending) return [];
    await this.readingAfter([PENDING]);
    const rows = await this.db.all<{ id: number; event: string }>(
      'SELECT id, event FROM pending_events WHERE file_name IN (SELECT value FROM json_each(?)) ORDER BY id',
      [JSON.stringify([...new Set(names)])],
    );
    if (rows.length) this.write(`DELETE FROM pending_events WHERE id IN (${rows.map((r) => r.id).join(', ')});`, [PENDING]);
    return rows.map((r) => JSON.parse(r.event) as unknown);
  }

  /** The stored request (treat it as read-only: the reducer works on a copy). */
  async load(id: number): Promise<RequestRecord | undefined> {
    return (await this.cached(id))?.record;
  }

  /** Which of an event's facts the request does not hold yet. None: the event is a duplicate. */
  async newFacts(requestId: number, facts: string[]): Promise<string[]> {
    const known = (await this.cached(requestId))?.facts ?? new Set<string>();
    return [...new Set(facts)].filter((fact) => !known.has(fact));
  }

  /** Insert a new request with its episodes, downloads, first timeline entry and facts. Returns it with its id. */
  create(record: RequestRecord, entry: TimelineEntry, facts: string[]): RequestRecord {
    const saved = { ...record, id: this.nextId++ };
    const id = saved.id;
    this.write(
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
        timelineScript(id, entry),
        insertScript(
          'facts',
          ['request_id', 'fact'],
          [...new Set(facts)].map((fact) => [id, fact]),
          'INSERT OR IGNORE',
        ),
      ].join('\n'),
      keysOf(saved),
    );
    this.remember(saved, new Set(facts));
    return saved;
  }

  /** Write what changed between `before` and `after` (same id), the timeline entry and the new facts. */
  update(before: RequestRecord, after: RequestRecord, entry: TimelineEntry | null, facts: string[]): RequestRecord {
    const id = before.id;
    // Loaded (so cached) by the same job: the facts it knows are the stored ones.
    const known = this.cache.get(id)?.facts;
    const oldEpisodes = new Map(before.episodes.map((e) => [`${e.season}:${e.episode}`, JSON.stringify(e)]));
    const changedEpisodes = after.episodes.filter((e) => oldEpisodes.get(`${e.season}:${e.episode}`) !== JSON.stringify(e));
    const oldDownloads = new Map(before.downloads.map((d) => [d.id, JSON.stringify(d)]));
    const changedDownloads = after.downloads.filter((d) => oldDownloads.get(d.id) !== JSON.stringify(d));
    const kept = new Set(after.downloads.map((d) => d.id));
    const dropped = before.downloads.filter((d) => !kept.has(d.id)).map((d) => d.id);
    const values = requestParams(after);
    const saved = { ...after, id };
    this.write(
      [
        `UPDATE requests SET ${REQUEST_COLUMNS.map((c, i) => `${c} = ${literal(values[i])}`).join(', ')} WHERE id = ${id};`,
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
        entry ? timelineScript(id, entry) : '',
        insertScript(
          'facts',
          ['request_id', 'fact'],
          facts.map((fact) => [id, fact]),
          'INSERT OR IGNORE',
        ),
      ].join('\n'),
      [...keysOf(before), ...keysOf(saved)],
    );
    if (known) {
      facts.forEach((fact) => known.add(fact));
      this.remember(saved, known);
    } else this.touched.add(id);
    return saved;
  }
}

function timelineScript(requestId: number, entry: TimelineEntry): string {
  return insertScript(
    'timeline',
    ['request_id', 'at', 'source', 'event', 'state', 'detail'],
    [[requestId, entry.at, entry.source, entry.event, entry.state, entry.detail]],
    'INSERT',
  );
}

type Job = { run: (tx: WriteTx) => Promise<unknown>; lookup?: KeyQuery; resolve: (value: unknown) => void; reject: (err: unknown) => void };

export interface StatusStoreEvents {
  /** Requests whose change was just committed: what live views refresh (they never see uncommitted data). */
  committed: [number[]];
}

export class StatusStore extends EventEmitter<StatusStoreEvents> {
  private queue: Job[] = [];
  private draining: Promise<void> | null = null;
  private closed = false;
  private readonly tx: WriteTx;

  private constructor(
    readonly file: string,
    private readonly writer: Connection,
    private readonly reader: Connection,
  ) {
    super();
    this.tx = new WriteTx(writer);
  }

  static async open(file: string, options: { busyTimeoutMs?: number } = {}): Promise<StatusStore> {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const busy = options.busyTimeoutMs ?? 5000;
    const writer = await Connection.open(file);
    try {
      await writer.exec(`PRAGMA busy_timeout = ${busy}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;`);
      await migrate(writer);
      const reader = await Connection.open(file);
      await reader.exec(`PRAGMA busy_timeout = ${busy}; PRAGMA query_only = ON;`);
      return new StatusStore(file, writer, reader);
    } catch (err) {
      await writer.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Run a write job in order with every other; settles after its data is committed. `lookup`: what
   * the job will look up first (Lookup.byKeys), made together with the other jobs of its batch.
   */
  write<T>(run: (tx: WriteTx) => Promise<T>, lookup?: KeyQuery): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the status store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, lookup, resolve: resolve as (value: unknown) => void, reject });
      this.draining ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        // One turn of the event loop lets the writes that arrive together share a commit.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = this.queue.splice(0, BATCH_LIMIT);
        if (batch.length > 1 && (await this.runBatch(batch))) continue;
        // A single job, or a batch in which one failed: one transaction per job.
        for (const job of batch) await this.runBatch([job]);
      }
    } finally {
      // In the same tick as the last empty-queue check: a write arriving after it starts a new drain.
      this.draining = null;
    }
  }

  /**
   * Run jobs in one transaction. Returns false (after rolling back, settling nothing) when a job of a
   * larger batch failed, so the caller can replay them one by one; a single job settles either way.
   */
  private async runBatch(jobs: Job[]): Promise<boolean> {
    const settle: (() => void)[] = [];
    try {
      await this.tx.begin(jobs.flatMap((job) => (job.lookup ? [job.lookup] : [])));
    } catch (err) {
      await this.tx.rollback();
      jobs.forEach((job) => job.reject(err));
      return true;
    }
    for (const job of jobs) {
      try {
        const value = await job.run(this.tx);
        settle.push(() => job.resolve(value));
      } catch (err) {
        await this.tx.rollback();
        if (jobs.length > 1) return false;
        job.reject(err);
        return true;
      }
    }
    try {
      await this.tx.commit();
      const committed = [...this.tx.touched];
      this.tx.touched.clear();
      settle.forEach((done) => done());
      if (committed.length) this.emit('committed', committed);
    } catch (err) {
      await this.tx.rollback();
      jobs.forEach((job) => job.reject(err));
    }
    return true;
  }

  async listRequests(filter: ListFilter): Promise<RequestRecord[]> {
    const where: string[] = [];
    const params: Params = [];
    if (filter.states?.length) {
      where.push(`r.state IN (${placeholders(filter.states.length)})`);
      params.push(...filter.states);
    }
    if (filter.activeOnly) where.push(`r.state NOT IN ('AVAILABLE', 'FAILED')`);
    if (filter.requestedBy !== undefined) {
      where.push('r.requested_by = ?');
      params.push(filter.requestedBy);
    }
    const sql = `${LOAD} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC LIMIT ? OFFSET ?`;
    return (await this.reader.allOnce<LoadedRow>(sql, [...params, filter.limit, filter.offset ?? 0])).map(fromLoaded);
  }

  /** Several requests by id (for live updates), newest first. */
  async requestsById(ids: number[]): Promise<RequestRecord[]> {
    if (!ids.length) return [];
    return (await this.reader.allOnce<LoadedRow>(`${LOAD} WHERE r.id IN (${placeholders(ids.length)}) ORDER BY r.id DESC`, ids)).map(fromLoaded);
  }

  /** Who asked for things, for a filter. */
  async requesters(): Promise<string[]> {
    const rows = await this.reader.all<{ requested_by: string }>(
      'SELECT DISTINCT requested_by FROM requests WHERE requested_by IS NOT NULL ORDER BY requested_by COLLATE NOCASE',
    );
    return rows.map((r) => r.requested_by);
  }

  async statsRows(): Promise<StatsRow[]> {
    const rows = await this.reader.all<{ media_type: MediaType; created_at: string; available_at: string | null; attention: number; state: string }>(
      'SELECT media_type, created_at, available_at, attention IS NOT NULL AS attention, state FROM requests',
    );
    return rows.map((r) => ({
      mediaType: r.media_type,
      createdAt: r.created_at,
      availableAt: r.available_at,
      attention: r.attention === 1,
      finished: r.state === 'AVAILABLE' || r.state === 'FAILED',
    }));
  }

  getRequest(id: number): Promise<RequestRecord | undefined> {
    return loadRecord(this.reader, id);
  }

  /**
   * Downloads still on their way: not complete, of requests not finished. One request's downloads
   * (a "verify now"), failed ones included, when `requestId` is given.
   */
  async activeDownloads(requestId?: number): Promise<ActiveDownload[]> {
    const scope =
      requestId === undefined ? `d.state IN ('GRABBING', 'DOWNLOADING') AND r.state NOT IN ('AVAILABLE', 'FAILED')` : `d.state != 'DOWNLOADED' AND r.id = ?`;
    return this.reader.all<ActiveDownload>(
      `SELECT d.id AS id, (SELECT COUNT(*) FROM episodes e WHERE e.request_id = d.request_id AND e.download_id = d.id) AS episodes
       FROM downloads d JOIN requests r ON r.id = d.request_id WHERE ${scope} ORDER BY d.id`,
      requestId === undefined ? [] : [requestId],
    );
  }

  /** Unfinished requests whose last progress is older than their stage's cutoff, and that need nothing else yet. */
  async stuckCandidates(cutoffs: [RequestState, string][]): Promise<{ id: number; state: RequestState; progressAt: string }[]> {
    if (!cutoffs.length) return [];
    const rows = await this.reader.all<{ id: number; state: string; progress_at: string }>(
      `SELECT id, state, progress_at FROM requests WHERE attention IS NULL AND (${cutoffs.map(() => '(state = ? AND progress_at < ?)').join(' OR ')}) ORDER BY id`,
      cutoffs.flat(),
    );
    return rows.map((r) => ({ id: r.id, state: state(r.state), progressAt: r.progress_at }));
  }

  /**
   * Requests that wait for evidence that they play: imported or matching, downloaded for a while,
   * approved for a while (a re-request of media already there never produces a grab). Newest first.
   */
  async awaitingEvidence(downloadedBefore: string, approvedBefore: string, limit: number): Promise<RequestRecord[]> {
    const rows = await this.reader.all<LoadedRow>(
      `${LOAD} WHERE r.state IN ('IMPORTING', 'ANIME_MATCHING') OR (r.state = 'DOWNLOADED' AND r.state_changed_at < ?)
         OR (r.state = 'APPROVED' AND r.state_changed_at < ?) ORDER BY r.id DESC LIMIT ?`,
      [downloadedBefore, approvedBefore, limit],
    );
    return rows.map(fromLoaded);
  }

  async timeline(requestId: number): Promise<TimelineEntry[]> {
    return this.reader.all<TimelineEntry>('SELECT at, source, event, state, detail FROM timeline WHERE request_id = ? ORDER BY id', [requestId]);
  }

  /** Waits for queued writes, then closes both connections (the WAL is checkpointed and removed). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.draining) await this.draining;
    await this.reader.close();
    await this.writer.close();
  }
}
