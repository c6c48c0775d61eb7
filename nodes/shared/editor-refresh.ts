import type { RED } from './red';

const TOPIC = 'media-status/changed';
const THROTTLE_MS = 1000;

let timer: NodeJS.Timeout | undefined;

/**
 * Tells open editors (the Media status sidebar listens) that requests changed: at most once a
 * second, whichever store changed.
 */
export function editorRefresh(RED: RED): () => void {
  return () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      RED.comms.publish(TOPIC, { at: new Date().toISOString() }, false);
    }, THROTTLE_MS);
    timer.unref();
  };
}
