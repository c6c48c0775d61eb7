import type { TimelineEntry } from '../model';
import { TIMELINE_COLUMNS, timelineParams } from './rows';
import { literal } from './sqlite';

/** Timeline entries a request keeps; past it the oldest progress entries go first, stage changes last. */
export const TIMELINE_LIMIT = 500;

/** What the writer knows of a request's timeline: how many entries, and the last one (see sameEntry). */
export type TimelineTail = { count: number; last: string | null };
const sameEntry = (e: Pick<TimelineEntry, 'source' | 'event' | 'state' | 'detail'>) => JSON.stringify([e.source, e.event, e.state, e.detail]);

/**
 * A timeline entry: the same entry as the request's last one only counts it again; past the limit the
 * oldest entries go, progress before stage changes. The writer knows the request's timeline tail (see
 * LOAD_FOR_WRITE), so this is decided here and costs one statement.
 */
export function timelineScript(requestId: number, entry: TimelineEntry, stageChange: boolean, tail: TimelineTail): string {
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
