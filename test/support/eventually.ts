import assert from 'node:assert/strict';

/**
 * Waits for what another process or the event loop does (a request stored, a status shown, a message
 * delivered): `check` until it gives a value (anything but undefined or false), asked again every
 * `everyMs`. After `timeoutMs` it fails, saying `what` and the last value seen. Never a wait for time
 * itself: a rule on time is passed with a clock (see clock.ts, NodeRedClock).
 */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 8000, everyMs = 50 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
