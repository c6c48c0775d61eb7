import assert from 'node:assert/strict';

/** The element at `index` (default the first), failing the test when there is none. */
export function nth<T>(list: readonly T[] | undefined, index = 0): T {
  const value = list?.[index];
  assert.ok(value !== undefined, `expected an element at index ${index} of ${list ? `a list of ${list.length}` : 'no list'}`);
  return value;
}
