import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SourceSchema, type MediaType } from '../events';
import { RequestStateSchema, type RequestState } from '../states';
import type { Candidate, Lookup } from '../tracker/correlate';
import type { Attention, DownloadRecord, EpisodeRecord, RequestRecord, TimelineEntry } from '../tracker/model';
import { migrate } from './migrations';
import { Connection, type Params } from './sqlite';

/**
 * The only code that knows SQL. One writer connection with one queue: every write job runs alone, in
 * arrival order, inside a savepoint; jobs that queue up while a transaction is open share the next
 * commit (group commit), and each job's promise settles only after that commit. Reads use a second
 * connection, so they only ever see committed data.
 */

export interface ListFilter {
  states?: RequestState[];
  /** Only requests that are neither AVAILABLE nor FAILED. */
  activeOnly?: boolean;
  limit: number;
}

const REQUEST_COLUMNS = [
  'media_type', 'title', 'year', 'is_anime', 'stage', 'state', 'requested_by', 'poster_url', 'info_source', 'requested_seasons',
  'jellyseerr_request', 'tmdb', 'tvdb', 'imdb', 'radarr', 'sonarr', 'jellyfin', 'download_id', 'final_path', 'attention',
  'created_at', 'updated_at', 'state_changed_at', 'available_at',
];
const EPISODE_COLUMNS = ['request_id', 'season', 'episode', 'title', 'state', 'download_id', 'final_path', 'tvdb_id', 'jellyfin_id'];
const DOWNLOAD_COLUMNS = ['request_id', 'id', 'progress', 'state'];
const CANDIDATE = 'r.id, r.state, r.jellyseerr_request, r.requested_seasons';
const MAX_PARAMS = 900;
const BATCH_LIMIT = 256;

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
  attention: string | null;
  created_at: string;
  updated_at: string;
  state_changed_at: string;
  available_at: string | null;
};
type EpisodeRow = {
  request_id: number;
  season: number;
  episode: number;
  title: string | null;
  state: string;
  download_id: string | null;
  final_path: string | null;
  tvdb_id: number | null;
  jellyfin_id: string | null;
};
type DownloadRow = { request_id: number; id: string; progress: number; state: string };
type CandidateRow = { id: number; state: string; jellyseerr_request: number | null; requested_seasons: string };

const state = (value: string) => RequestStateSchema.parse(value);

function requestParams(r: RequestRecord): Params {
  return [
    r.mediaType, r.title, r.year, r.isAnime ? 1 : 0, r.stage, r.state, r.requestedBy, r.posterUrl, r.infoSource, JSON.stringify(r.requestedSeasons),
    r.ids.jellyseerrRequest, r.ids.tmdb, r.ids.tvdb, r.ids.imdb, r.ids.radarr, r.ids.sonarr, r.ids.jellyfin, r.downloadId, r.finalPath,
    r.attention && JSON.stringify(r.attention), r.createdAt, r.updatedAt, r.stateChangedAt, r.availableAt,
  ];
}

function episodeParams(requestId: number, e: EpisodeRecord): Params {
  return [requestId, e.season, e.episode, e.title, e.state, e.downloadId, e.finalPath, e.tvdbId, e.jellyfinId];
}

function toEpisode(row: EpisodeRow): EpisodeRecord {
  return {
    season: row.season,
    episode: row.episode,
    title: row.title,
    state: state(row.state) as EpisodeRecord['state'],
    downloadId: row.download_id,
    finalPath: row.final_path,
    tvdbId: row.tvdb_id,
    jellyfinId: row.jellyfin_id,
  };
}

function toDownload(row: DownloadRow): DownloadRecord {
  return { id: row.id, progress: row.progress, state: state(row.state) as DownloadRecord['state'] };
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
    attention: row.attention ? (JSON.parse(row.attention) as Attention) : null,
    episodes,
    downloads,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    stateChangedAt: row.state_changed_at,
    availableAt: row.available_at,
  };
}

function toCandidate(row: CandidateRow): Candidate {
  return { id: row.id, state: state(row.state), jellyseerrRequest: row.jellyseerr_request, requestedSeasons: JSON.parse(row.requested_seasons) as number[] };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

async function insertRows(db: Connection, table: string, columns: string[], rows: Params[], verb = 'INSERT OR REPLACE'): Promise<void> {
  for (const chunk of chunks(rows, Math.floor(MAX_PARAMS / columns.length))) {
    const values = chunk.map(() => `(${placeholders(columns.length)})`).join(', ');
    await db.runOnce(`${verb} INTO ${table} (${columns.join(', ')}) VALUES ${values}`, chunk.flat());
  }
}

/** Load full records (episodes and downloads in one query each) for the given request rows, keeping their order. */
async function loadRecords(db: Connection, rows: RequestRow[]): Promise<RequestRecord[]> {
  if (!rows.length) return [];
  const episodes = new Map<number, EpisodeRecord[]>();
  const downloads = new Map<number, DownloadRecord[]>();
  for (const ids of chunks(rows.map((r) => r.id), MAX_PARAMS)) {
    const list = placeholders(ids.length);
    for (const row of await db.allOnce<EpisodeRow>(`SELECT * FROM episodes WHERE request_id IN (${list}) ORDER BY request_id, season, episode`, ids)) {
      const bucket = episodes.get(row.request_id) ?? [];
      bucket.push(toEpisode(row));
      episodes.set(row.request_id, bucket);
    }
    for (const row of await db.allOnce<DownloadRow>(`SELECT * FROM downloads WHERE request_id IN (${list}) ORDER BY request_id, id`, ids)) {
      const bucket = downloads.get(row.request_id) ?? [];
      bucket.push(toDownload(row));
      downloads.set(row.request_id, bucket);
    }
  }
  return rows.map((row) => toRecord(row, episodes.get(row.id) ?? [], downloads.get(row.id) ?? []));
}

async function loadRecord(db: Connection, id: number): Promise<RequestRecord | undefined> {
  const row = await db.get<RequestRow>('SELECT * FROM requests WHERE id = ?', [id]);
  return row ? (await loadRecords(db, [row]))[0] : undefined;
}

/** What a write job may do: correlate (Lookup), load, check facts, save. */
export class WriteTx implements Lookup {
  constructor(private readonly db: Connection) {}

  private async candidates(sql: string, params: Params): Promise<Candidate[]> {
    return (await this.db.all<CandidateRow>(sql, params)).map(toCandidate);
  }

  byJellyseerrRequest(requestId: number): Promise<Candidate[]> {
    return this.candidates(`SELECT ${CANDIDATE} FROM requests r WHERE r.jellyseerr_request = ? ORDER BY r.id DESC LIMIT 20`, [requestId]);
  }

  byMediaId(mediaType: MediaType, key: 'tmdb' | 'tvdb' | 'imdb', value: number | string): Promise<Candidate[]> {
    const column = { tmdb: 'tmdb', tvdb: 'tvdb', imdb: 'imdb' }[key];
    return this.candidates(`SELECT ${CANDIDATE} FROM requests r WHERE r.media_type = ? AND r.${column} = ? ORDER BY r.id DESC LIMIT 20`, [mediaType, value]);
  }

  byDownloadId(mediaType: MediaType, downloadId: string): Promise<Candidate[]> {
    return this.candidates(
      `SELECT ${CANDIDATE} FROM downloads d JOIN requests r ON r.id = d.request_id WHERE d.id = ? AND r.media_type = ? ORDER BY r.id DESC LIMIT 20`,
      [downloadId.toUpperCase(), mediaType],
    );
  }

  byEpisodeTvdb(tvdbId: number): Promise<Candidate[]> {
    return this.candidates(
      `SELECT ${CANDIDATE} FROM episodes e JOIN requests r ON r.id = e.request_id WHERE e.tvdb_id = ? ORDER BY r.id DESC LIMIT 20`,
      [tvdbId],
    );
  }

  bySeriesEpisode(title: string, season: number, episode: number): Promise<Candidate[]> {
    return this.candidates(
      `SELECT ${CANDIDATE} FROM requests r JOIN episodes e ON e.request_id = r.id AND e.season = ? AND e.episode = ?
       WHERE r.media_type = 'tv' AND r.title = ? COLLATE NOCASE ORDER BY r.id DESC LIMIT 20`,
      [season, episode, title],
    );
  }

  load(id: number): Promise<RequestRecord | undefined> {
    return loadRecord(this.db, id);
  }

  /** True when the request already holds every one of these facts. */
  async knowsAll(requestId: number, facts: string[]): Promise<boolean> {
    const unique = [...new Set(facts)];
    let known = 0;
    for (const chunk of chunks(unique, MAX_PARAMS - 1)) {
      const row = await this.db.allOnce<{ n: number }>(
        `SELECT COUNT(*) AS n FROM facts WHERE request_id = ? AND fact IN (${placeholders(chunk.length)})`,
        [requestId, ...chunk],
      );
      known += row[0].n;
    }
    return known === unique.length;
  }

  /** Write what changed between `before` and `after`, the timeline entry and the facts. Returns the saved record. */
  async save(before: RequestRecord | null, after: RequestRecord, entry: TimelineEntry, facts: string[]): Promise<RequestRecord> {
    let id = after.id;
    if (!before) {
      const result = await this.db.run(`INSERT INTO requests (${REQUEST_COLUMNS.join(', ')}) VALUES (${placeholders(REQUEST_COLUMNS.length)})`, requestParams(after));
      id = result.lastID;
    } else {
      await this.db.run(`UPDATE requests SET ${REQUEST_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [...requestParams(after), id]);
    }
    const saved = { ...after, id };

    const oldEpisodes = new Map((before?.episodes ?? []).map((e) => [`${e.season}:${e.episode}`, JSON.stringify(e)]));
    const changedEpisodes = saved.episodes.filter((e) => oldEpisodes.get(`${e.season}:${e.episode}`) !== JSON.stringify(e));
    await insertRows(this.db, 'episodes', EPISODE_COLUMNS, changedEpisodes.map((e) => episodeParams(id, e)));

    const downloadsChanged = JSON.stringify(before?.downloads ?? []) !== JSON.stringify(saved.downloads);
    if (downloadsChanged) {
      await this.db.run('DELETE FROM downloads WHERE request_id = ?', [id]);
      await insertRows(this.db, 'downloads', DOWNLOAD_COLUMNS, saved.downloads.map((d) => [id, d.id, d.progress, d.state]));
    }

    await this.db.run('INSERT INTO timeline (request_id, at, source, event, state, detail) VALUES (?, ?, ?, ?, ?, ?)', [
      id, entry.at, entry.source, entry.event, entry.state, entry.detail,
    ]);
    await insertRows(this.db, 'facts', ['request_id', 'fact'], [...new Set(facts)].map((fact) => [id, fact]), 'INSERT OR IGNORE');
    return saved;
  }
}

type Job = { run: (tx: WriteTx) => Promise<unknown>; resolve: (value: unknown) => void; reject: (err: unknown) => void };

export class StatusStore {
  private queue: Job[] = [];
  private draining: Promise<void> | null = null;
  private closed = false;
  private readonly tx: WriteTx;

  private constructor(
    readonly file: string,
    private readonly writer: Connection,
    private readonly reader: Connection,
  ) {
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

  /** Run a write job in order with every other; settles after its data is committed. */
  write<T>(run: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the status store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = null;
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, BATCH_LIMIT);
      const settled: (() => void)[] = [];
      try {
        await this.writer.run('BEGIN IMMEDIATE');
      } catch (err) {
        batch.forEach((job) => job.reject(err));
        continue;
      }
      for (const job of batch) {
        await this.writer.run('SAVEPOINT job');
        try {
          const value = await job.run(this.tx);
          await this.writer.run('RELEASE job');
          settled.push(() => job.resolve(value));
        } catch (err) {
          await this.writer.run('ROLLBACK TO job');
          await this.writer.run('RELEASE job');
          settled.push(() => job.reject(err));
        }
      }
      try {
        await this.writer.run('COMMIT');
        settled.forEach((settle) => settle());
      } catch (err) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        batch.forEach((job) => job.reject(err));
      }
    }
  }

  async listRequests(filter: ListFilter): Promise<RequestRecord[]> {
    const where: string[] = [];
    const params: Params = [];
    if (filter.states?.length) {
      where.push(`state IN (${placeholders(filter.states.length)})`);
      params.push(...filter.states);
    }
    if (filter.activeOnly) where.push(`state NOT IN ('AVAILABLE', 'FAILED')`);
    const sql = `SELECT * FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = await this.reader.allOnce<RequestRow>(sql, [...params, filter.limit]);
    return loadRecords(this.reader, rows);
  }

  getRequest(id: number): Promise<RequestRecord | undefined> {
    return loadRecord(this.reader, id);
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
