import type { EpisodeRecord } from '../model';
import { REQUEST_COLUMNS } from './rows';
import { literal, type Params } from './sqlite';

/** What of a request an update writes: the episodes and the columns that changed. */

/**
 * The episodes of `after` to write: those new to the request, and those changed. The reducer shares
 * the episodes an event left alone with `before` (copy on write), and both lists are in show order:
 * one walk tells them apart. (Out of order, an unchanged episode would only be written again, as a
 * change: never is one missed, nor a stored one taken for new.)
 */
export function episodesToWrite(before: EpisodeRecord[], after: EpisodeRecord[]): { added: EpisodeRecord[]; changed: EpisodeRecord[] } {
  const added: EpisodeRecord[] = [];
  const changed: EpisodeRecord[] = [];
  let j = 0;
  for (const episode of after) {
    while (j < before.length && before[j] !== episode && isBefore(before[j]!, episode)) j++;
    const stored = before[j];
    if (stored === episode) j++;
    else if (stored && stored.season === episode.season && stored.episode === episode.episode) changed.push(episode);
    else if (j === before.length || isBefore(episode, stored!)) added.push(episode);
    else changed.push(episode);
  }
  return { added, changed };
}

/**
 * The request's columns that changed, only: SQLite updates every index on a column that is set, even
 * to the value it had, and a request row has a dozen.
 */
export function requestUpdateScript(id: number, before: Params, after: Params): string {
  const set: string[] = [];
  REQUEST_COLUMNS.forEach((column, i) => {
    if (before[i] !== after[i]) set.push(`${column} = ${literal(after[i] ?? null)}`);
  });
  return set.length ? `UPDATE requests SET ${set.join(', ')} WHERE id = ${id};` : '';
}

const isBefore = (a: EpisodeRecord, b: EpisodeRecord) => a.season < b.season || (a.season === b.season && a.episode < b.episode);
