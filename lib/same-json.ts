/**
 * Equal as JSON would write them, without writing them: a property set to undefined is one not
 * there, and the order of properties does not matter. For plain data (records, events, statuses).
 * `skip`: top-level properties left out of the comparison.
 */
export function sameJson(a: unknown, b: unknown, skip?: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let unmatched = 0;
  for (const key in x) {
    if (x[key] === undefined || skip?.has(key)) continue;
    if (!sameJson(x[key], y[key])) return false;
    unmatched++;
  }
  for (const key in y) if (y[key] !== undefined && !skip?.has(key)) unmatched--;
  return unmatched === 0;
}
