import { z } from 'zod';

/** A bounded string: senders never need more, and a huge value is a malformed body, not data. */
export const text = (max = 1000) => z.string().max(max);

/**
 * An integer that may arrive as a number or as a string of digits (Jellyseerr's template and
 * hand-written Jellyfin templates turn every value into a string). "" means absent.
 */
export const looseInt = z.union([z.number(), z.string().max(32)], { error: 'expected an integer or a string of digits' }).transform((value, ctx) => {
  const parsed = typeof value === 'number' ? value : value.trim() === '' ? undefined : Number(value.trim());
  if (parsed === undefined) return undefined;
  if (Number.isSafeInteger(parsed) && (typeof value === 'number' || /^-?\d+$/.test(value.trim()))) return parsed;
  ctx.issues.push({ code: 'custom', message: `expected an integer, received "${String(value).slice(0, 40)}"`, input: value });
  return z.NEVER;
});

/** An id where 0, "" and absence all mean "unknown" (Sonarr sends 0 for unknown TMDB/TVDB ids). */
export const optionalId = looseInt.optional().transform((v) => (v !== undefined && v > 0 ? v : undefined));

/** An id that tracking cannot do without. */
export const requiredId = looseInt.pipe(z.number({ error: 'expected a numeric id' }).int().positive('expected a positive id'));

/** Format a zod error as one line naming each path (under `under`) and reason, e.g. `movie.tmdbId: expected number, received string`. */
export function formatIssues(error: z.ZodError, limit = 3, under = ''): string {
  const parts = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), under);
    const message = issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, ' (missing)');
    return path ? `${path}: ${message}` : message;
  });
  const more = error.issues.length > limit ? ` (and ${error.issues.length - limit} more)` : '';
  return parts.join('; ') + more;
}

/** An object literal (or JSON object): not a Buffer, an array, a class instance or a primitive. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
