import { z } from 'zod';
import { formatIssues } from './sources/schema-helpers';
import { RequestStateSchema, type RequestState } from './states';

/** The filters of a request list, as they come from a query string (`?state=DOWNLOADING,IMPORTING&active=true&limit=20`). */
export const ListQuerySchema = z.object({
  state: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) =>
      value === undefined
        ? []
        : (Array.isArray(value) ? value : [value])
            .flatMap((v) => v.split(','))
            .map((v) => v.trim().toUpperCase())
            .filter(Boolean),
    )
    .pipe(z.array(RequestStateSchema)),
  active: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0', ''])])
    .optional()
    .transform((value) => value === true || value === 'true' || value === '1'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export type ListQuery = { states: RequestState[]; activeOnly: boolean; limit: number };

export function parseListQuery(input: unknown): { ok: true; query: ListQuery } | { ok: false; error: string } {
  const result = ListQuerySchema.safeParse(input ?? {});
  if (!result.success) return { ok: false, error: formatIssues(result.error) };
  return { ok: true, query: { states: result.data.state, activeOnly: result.data.active, limit: result.data.limit } };
}

export function parseRequestId(input: unknown): number | undefined {
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : '';
  return /^\d{1,15}$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}
