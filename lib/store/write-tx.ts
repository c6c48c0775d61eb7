import type { RequestRecord, ServiceHealth, TimelineEntry } from '../model';
import { recordKeys, requestKey } from './keys';
import type { RequestTx } from './lookup';
import { inTurns } from '../big-events';
import { sameJson } from '../same-json';
import { downloadsScript, episodeInserts, factInserts, insertScript, REQUEST_COLUMNS, requestParams } from './rows';
import { fromLoaded, loadWith, type LoadedRow } from './load';
import { literal, type Connection, type Params } from './sqlite';
import { episodesToWrite, requestUpdateScript } from './changes';
import type { Transaction } from './write-queue';
import { TxConnection } from './tx-connection';
import { TxLookups } from './tx-lookups';
import { timelineScript, type TimelineTail } from './timeline-script';
import { PeopleTx } from './people-tx';

/**
 * Requests written recently, with every fact they hold. Most events are about a request that is in
 * flight, so this saves a load and the duplicate check a round trip each. It is only ever read inside
 * the writer's transaction, dropped on rollback and whenever another connection has committed.
 */
const CACHE_LIMIT = 256;
type Cached = { record: RequestRecord; facts: Set<string>; timeline: TimelineTail; params?: Params };

/** A request row with everything the writer needs: its episodes, downloads, facts and timeline's tail. */
const LOAD_FOR_WRITE = `${loadWith(`,
  (SELECT json_group_array(fact) FROM facts WHERE request_id = r.id) AS facts_json,
  (SELECT COUNT(*) FROM timeline WHERE request_id = r.id) AS timeline_count,
  (SELECT json_array(source, event, state, detail) FROM timeline WHERE request_id = r.id ORDER BY id DESC LIMIT 1) AS timeline_last`)} WHERE r.id = ?`;

/** A write transaction: what a write job may do (RequestTx), over one connection (see TxConnection). */
export class WriteTx extends TxLookups implements RequestTx, Transaction {
  private readonly cache = new Map<number, Cached>();
  private dataVersion = -1;
  private nextId = 1;
  /**
   * What this writer knows (the data version, the next id, whether Shoko events wait, the key index,
   * the cache) is the database as its last commit left it. Its commits do not move the data version:
   * a deferred transaction's check (see TxConnection.readAt) still fails if another connection's did.
   */
  private inStep = false;
  /** Requests written in the open transaction: announced once it commits. */
  private readonly touched = new Set<number>();
  /** The people's writes. */
  readonly people: PeopleTx;

  constructor(db: Connection, writeBehind: boolean) {
    super(new TxConnection(db, writeBehind));
    this.people = new PeopleTx(this.gate);
  }

  /**
   * Start a write transaction; forget the cache and the key index if anyone else changed the file
   * since. `deferred`: see TxConnection; right after a commit of this writer's, it reads nothing.
   */
  async begin(deferred = false): Promise<void> {
    await this.gate.begin(deferred);
    if (!deferred || !this.inStep) {
      const start = await this.start();
      if (start.version !== this.dataVersion) {
        this.cache.clear();
        this.index = undefined;
      }
      this.dataVersion = start.version;
      this.nextId = start.next_id;
      this.noPending = start.pending === 0;
      await this.readIndex();
    }
    this.inStep = false;
    this.gate.readAt(this.dataVersion);
  }

  /** Commit; the requests it changed. */
  async commit(): Promise<number[]> {
    await this.gate.commit();
    this.inStep = true;
    const touched = [...this.touched];
    this.touched.clear();
    return touched;
  }

  async rollback(): Promise<void> {
    this.inStep = false;
    this.cache.clear();
    this.index = undefined;
    this.touched.clear();
    await this.gate.rollback();
  }

  /** `params`: the record's row as written (requestParams), when known. */
  private remember(record: RequestRecord, facts: Set<string>, timeline: TimelineTail, params?: Params): void {
    this.touched.add(record.id);
    this.cache.delete(record.id);
    this.cache.set(record.id, { record, facts, timeline, params });
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

  async load(id: number): Promise<RequestRecord | undefined> {
    return (await this.cached(id))?.record;
  }

  async newFacts(requestId: number, facts: string[]): Promise<string[]> {
    const known = (await this.cached(requestId))?.facts ?? new Set<string>();
    // A long show's grab states ten thousand facts.
    return [...new Set(await inTurns(facts, (slice) => slice.filter((fact) => !known.has(fact))))];
  }

  async create(record: RequestRecord, entry: TimelineEntry, facts: string[]): Promise<RequestRecord> {
    const saved = { ...record, id: this.nextId++ };
    const id = saved.id;
    const timeline: TimelineTail = { count: 0, last: null };
    const params = requestParams(saved);
    this.remember(saved, new Set(facts), timeline, params);
    this.index!.put(saved);
    await this.gate.write(
      [
        insertScript('requests', ['id', ...REQUEST_COLUMNS], [[id, ...params]], 'INSERT'),
        ...(await episodeInserts(id, saved.episodes, true)),
        downloadsScript(id, saved.downloads),
        timelineScript(id, entry, true, timeline),
        ...(await factInserts(id, [...new Set(facts)])),
      ],
      recordKeys(saved),
    );
    return saved;
  }

  async update(before: RequestRecord, after: RequestRecord, entry: TimelineEntry | null, facts: string[]): Promise<RequestRecord> {
    const id = before.id;
    // Loaded by the same job (and so cached): its facts and timeline tail are the stored ones.
    const known = await this.cached(id);
    if (!known) throw new Error(`request ${id} is not stored: it cannot be updated`);
    const episodes = episodesToWrite(before.episodes, after.episodes);
    const oldDownloads = new Map(before.downloads.map((d) => [d.id, d]));
    const changedDownloads = after.downloads.filter((d) => !sameJson(oldDownloads.get(d.id), d));
    const kept = new Set(after.downloads.map((d) => d.id));
    const dropped = before.downloads.filter((d) => !kept.has(d.id)).map((d) => d.id);
    const stored = (known.record === before && known.params) || requestParams(before);
    const values = requestParams(after);
    const saved = after.id === id ? after : { ...after, id };
    facts.forEach((fact) => known.facts.add(fact));
    this.remember(saved, known.facts, known.timeline, values);
    this.index!.put(saved);
    await this.gate.write(
      [
        requestUpdateScript(id, stored, values),
        ...(await episodeInserts(id, episodes.added, true)),
        ...(await episodeInserts(id, episodes.changed, false)),
        downloadsScript(id, changedDownloads),
        dropped.length ? `DELETE FROM downloads WHERE request_id = ${id} AND id IN (${dropped.map(literal).join(', ')});` : '',
        entry ? timelineScript(id, entry, entry.state !== before.state, known.timeline) : '',
        ...(await factInserts(id, facts)),
      ],
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
    await this.gate.write([script], [`health:${notice.instance}`]);
  }

  async saveCursor(source: string, cursor: string, at: string): Promise<void> {
    await this.gate.write([insertScript('sync_cursors', ['source', 'cursor', 'updated_at'], [[source, cursor, at]])], [`cursor:${source}`]);
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
      ],
      ['predictions'],
    );
  }

  async forgetRequest(id: number): Promise<number> {
    this.cache.delete(id);
    this.touched.add(id);
    this.index!.remove(id);
    return (await this.gate.writeNow<{ id: number }>('DELETE FROM requests WHERE id = ? RETURNING id', [id])).length;
  }

  /** Forget finished requests (AVAILABLE or FAILED) last changed before `before`, with everything they hold. */
  async forgetFinished(before: string): Promise<number[]> {
    this.cache.clear();
    const rows = await this.gate.writeNow<{ id: number }>("DELETE FROM requests WHERE state IN ('AVAILABLE', 'FAILED') AND updated_at < ? RETURNING id", [
      before,
    ]);
    rows.forEach((r) => this.index!.remove(r.id));
    return rows.map((r) => r.id);
  }
}
