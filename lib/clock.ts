/** A clock and a timer, injected so that a rule on time is tested without waiting. */
export interface Clock {
  now(): number;
  /** Run `fn` after `ms`; returns how to cancel it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
