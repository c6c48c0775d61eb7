/** Events naming more episodes than this (and requests holding more) take tens of milliseconds a step. */
export const BIG_EVENT = 1000;

/** Let Node-RED serve the rest (other requests, answers) before the next step of something big. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
