import { KeyIndex, INDEX_DOWNLOADS, INDEX_REQUESTS, type IndexDownloadRow, type IndexRequestRow } from './key-index';
import { PENDING_KEY } from './keys';
import type { Candidate, KeyedCandidate, KeyQuery } from './lookup';
import { insertScript } from './rows';
import { CANDIDATE, toCandidate, type CandidateRow } from './load';
import type { Params } from './sqlite';
import type { TxConnection } from './tx-connection';

/** Shoko events kept for files not imported yet: at most this many, and this many bytes. */
const PENDING_LIMIT = 5000;
const PENDING_BYTES = 5 * 1024 * 1024;

/** What a write transaction needs to know at its start: whether another connection wrote, the next request id, whether Shoko events wait. */
const START = `SELECT (SELECT data_version FROM pragma_data_version) AS version,
  MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'requests'), 0), COALESCE((SELECT MAX(id) FROM requests), 0)) + 1 AS next_id,
  EXISTS (SELECT 1 FROM pending_events) AS pending`;
type TxStart = { version: number; next_id: number; pending: number };

/**
 * What a write transaction reads to find the request of an event (see lookup.ts), and the Shoko
 * events that wait for their file's import: the reading half of WriteTx.
 */
export abstract class TxLookups {
  /** No Shoko event is kept: an import need not look for any. */
  protected noPending = false;
  /** Every request's lookup keys, as this transaction has written them (see KeyIndex); undefined until read. */
  protected index: KeyIndex | undefined;

  protected constructor(protected readonly gate: TxConnection) {}

  private async candidates(sql: string, params: Params): Promise<Candidate[]> {
    return (await this.gate.all<CandidateRow>('any', sql, params)).map(toCandidate);
  }

  async byKeys(query: KeyQuery): Promise<KeyedCandidate[]> {
    return this.index!.lookup(query);
  }

  /** What the transaction starts from. */
  protected async start(): Promise<TxStart> {
    return (await this.gate.get<TxStart>('any', START))!;
  }

  /** Read the key index, unless it is kept. (After start: had another connection committed in between, the next transaction's check would fail.) */
  protected async readIndex(): Promise<void> {
    this.index ??= KeyIndex.fromRows(
      await this.gate.all<IndexRequestRow>('any', INDEX_REQUESTS),
      await this.gate.all<IndexDownloadRow>('any', INDEX_DOWNLOADS),
    );
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
      [
        `${insertScript('pending_events', ['file_name', 'event', 'at', 'size'], [[fileName, json, at, Buffer.byteLength(json)]], 'INSERT')}
       DELETE FROM pending_events WHERE id <= (SELECT MAX(id) FROM pending_events) - ${PENDING_LIMIT};
       DELETE FROM pending_events WHERE id <= (SELECT id FROM (SELECT id, SUM(size) OVER (ORDER BY id DESC) AS total FROM pending_events)
         WHERE total > ${PENDING_BYTES} ORDER BY id DESC LIMIT 1);`,
      ],
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
    if (rows.length) await this.gate.write([`DELETE FROM pending_events WHERE id IN (${rows.map((r) => r.id).join(', ')});`], [PENDING_KEY]);
    return rows.map((r) => JSON.parse(r.event) as unknown);
  }
}
