import { z } from 'zod';
import { formatIssues } from '../sources/schema-helpers';
import type { ListFilter } from '../store/reader';

/** The status page's list: a filter, a requester, a page. */
export const PageQuerySchema = z.object({
  filter: z.enum(['all', 'active', 'available', 'failed']).default('all'),
  requester: z.string().max(200).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function pageFilter(query: unknown): { ok: true; filter: ListFilter } | { ok: false; error: string } {
  const parsed = PageQuerySchema.safeParse(query ?? {});
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error) };
  const { filter, requester, offset, limit } = parsed.data;
  return {
    ok: true,
    filter: {
      activeOnly: filter === 'active',
      states: filter === 'available' ? ['AVAILABLE'] : filter === 'failed' ? ['FAILED'] : undefined,
      requestedBy: requester || undefined,
      offset,
      limit,
    },
  };
}
