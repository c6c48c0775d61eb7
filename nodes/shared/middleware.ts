/** Express-style middleware, as settings.js gives it (httpNodeMiddleware: one function or a list). */
export type Middleware = (req: unknown, res: unknown, next: (err?: unknown) => void) => void;

/**
 * Run settings.js's `httpNodeMiddleware` before a handler that is not an `http in` route (http in runs
 * it itself): whatever it protects, it protects here too. `next(err)` or a middleware that answers
 * ends it there.
 */
export function withMiddleware(configured: unknown): (req: unknown, res: unknown, next: (err?: unknown) => void, then: () => void) => void {
  const chain = (Array.isArray(configured) ? configured : [configured]).filter((m): m is Middleware => typeof m === 'function');
  return (req, res, next, then) => {
    const step = (i: number) => (err?: unknown) => {
      if (err) return next(err);
      const middleware = chain[i];
      if (!middleware) return then();
      try {
        middleware(req, res, step(i + 1));
      } catch (thrown) {
        next(thrown);
      }
    };
    step(0)();
  };
}
