import { z } from 'zod';
import type { RequestDetail } from './snapshot-schema';
import { formatIssues } from './services/http/schema-helpers';
import { RequestStateSchema } from './states';
import type { ListFilter, StoreReader } from './store/reader';
import type { Outlook } from './tracker/outlook';

/**
 * Reading requests from a query string, for every reader: the flow's API (status-query), the status
 * page and the editor's sidebar.
 *
 * `?state=DOWNLOADING,IMPORTING`, `?active=true`, `?filter=all|active|available|failed`,
 * `?requester=adept`, `?offset=`, `?limit=`.
 */

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase());

export interface ListLimits {
  /** Without `limit`. */
  defaultLimit: number;
  maxLimit: number;
}

const listQuerySchema = (limits: ListLimits) =>
  z.object({
    state: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((value) => (value === undefined ? [] : list(value).filter(Boolean)))
      .pipe(z.array(RequestStateSchema)),
    active: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0', ''])])
      .optional()
      .transform((value) => value === true || value === 'true' || value === '1'),
    filter: z.enum(['all', 'active', 'available', 'failed']).default('all'),
    requester: z.string().max(200).optional(),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(limits.maxLimit).default(limits.defaultLimit),
  });

/** The API's limits: 100 by default, up to 1000. */
export const API_LIMITS: ListLimits = { defaultLimit: 100, maxLimit: 1000 };

export function parseListQuery(input: unknown, limits: ListLimits = API_LIMITS): { ok: true; filter: ListFilter } | { ok: false; error: string } {
  const parsed = listQuerySchema(limits).safeParse(input ?? {});
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error) };
  const { state, active, filter, requester, offset, limit } = parsed.data;
  const states = filter === 'available' ? ['AVAILABLE' as const] : filter === 'failed' ? ['FAILED' as const] : state;
  return {
    ok: true,
    filter: { states: states.length ? states : undefined, activeOnly: active || filter === 'active', requestedBy: requester || undefined, offset, limit },
  };
}

export function parseRequestId(input: unknown): number | undefined {
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : '';
  return /^\d{1,15}$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}

/** One request with its timeline, as every reader shows it; undefined when there is none. */
export async function requestDetail(store: { read: StoreReader; outlook: Outlook }, id: unknown): Promise<RequestDetail | undefined> {
  const requestId = parseRequestId(id);
  const record = requestId === undefined ? undefined : await store.read.getRequest(requestId);
  if (!record) return undefined;
  return { ...(await store.outlook.snapshot(record)), timeline: await store.read.timeline(record.id) };
}
