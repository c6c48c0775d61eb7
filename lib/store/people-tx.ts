import type { Person } from '../people/person';
import type { TxConnection } from './tx-connection';

/** The people's writes, in the writer's transaction (see WriteTx). */
export class PeopleTx {
  constructor(private readonly gate: TxConnection) {}

  /** Save a person: the one of this id, else the one of this name, else a new one. Their id. */
  async save(person: Person, at: string, id?: number): Promise<number> {
    const settings = JSON.stringify(person);
    if (id !== undefined) {
      const rows = await this.gate.writeNow<{ id: number }>('UPDATE people SET name = ?, settings = ?, updated_at = ? WHERE id = ? RETURNING id', [
        person.name,
        settings,
        at,
        id,
      ]);
      if (!rows.length) throw new Error(`no person ${id}`);
      return id;
    }
    const rows = await this.gate.writeNow<{ id: number }>(
      `INSERT INTO people (name, settings, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET name = excluded.name, settings = excluded.settings, updated_at = excluded.updated_at RETURNING id`,
      [person.name, settings, at],
    );
    return rows[0]!.id;
  }

  async remove(id: number): Promise<boolean> {
    return (await this.gate.writeNow<{ id: number }>('DELETE FROM people WHERE id = ? RETURNING id', [id])).length > 0;
  }

  async addLink(personId: number, linkId: string, at: string): Promise<void> {
    await this.gate.writeNow('INSERT INTO person_links (id, person_id, created_at) VALUES (?, ?, ?)', [linkId, personId, at]);
  }

  /** Revoke one link of a person; whether it was there. */
  async revokeLink(personId: number, linkId: string): Promise<boolean> {
    return (await this.gate.writeNow<{ id: string }>('DELETE FROM person_links WHERE id = ? AND person_id = ? RETURNING id', [linkId, personId])).length > 0;
  }

  /** Follow a request (or stop); false when there is no such request. */
  async follow(personId: number, requestId: number, on: boolean, at: string): Promise<boolean> {
    if (!on) {
      await this.gate.writeNow('DELETE FROM follows WHERE person_id = ? AND request_id = ?', [personId, requestId]);
      return (await this.gate.get<{ id: number }>('any', 'SELECT id FROM requests WHERE id = ?', [requestId])) !== undefined;
    }
    const rows = await this.gate.writeNow<{ request_id: number }>(
      'INSERT INTO follows (person_id, request_id, at) SELECT ?, id, ? FROM requests WHERE id = ? ON CONFLICT DO NOTHING RETURNING request_id',
      [personId, at, requestId],
    );
    return (
      rows.length > 0 ||
      (await this.gate.get<{ n: number }>('any', 'SELECT 1 AS n FROM follows WHERE person_id = ? AND request_id = ?', [personId, requestId])) !== undefined
    );
  }

  /** The key of this name; `fresh` becomes it when there is none yet. */
  async key(name: string, fresh: Buffer): Promise<Buffer> {
    await this.gate.writeNow('INSERT INTO store_keys (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING', [name, fresh.toString('hex')]);
    return Buffer.from((await this.gate.get<{ value: string }>('any', 'SELECT value FROM store_keys WHERE name = ?', [name]))!.value, 'hex');
  }
}
