import type { KeeperState } from '../../lib/store/keeper';
import type { StatusStore } from '../../lib/store/store';
import type { StatusLight } from './status';
import type { StatusStoreNode } from './types';

/**
 * A node that uses a store shows when the store cannot work (red, with the reason: "read-only:
 * /data/media-status.db") and clears that once the store opens again. `onOpen` runs for each store
 * that opens (to subscribe to its events) and returns how to unsubscribe; so does this function.
 */
export function useStore(storeNode: StatusStoreNode, light: StatusLight, onOpen?: (store: StatusStore) => () => void): () => void {
  let current: StatusStore | undefined;
  let unsubscribe: (() => void) | undefined;
  let failed = false;
  const onState = (state: KeeperState) => {
    if (state.status !== 'failed') return;
    failed = true;
    light.showText('problem', state.reason);
  };
  const opened = (store: StatusStore) => {
    if (failed) light.clear();
    failed = false;
    if (store === current) return;
    unsubscribe?.();
    current = store;
    unsubscribe = onOpen?.(store);
  };
  const { keeper } = storeNode;
  keeper.on('state', onState);
  keeper.on('open', opened);
  if (keeper.state.status === 'failed') onState(keeper.state);
  else storeNode.store().then(opened, () => undefined);
  return () => {
    keeper.off('state', onState);
    keeper.off('open', opened);
    unsubscribe?.();
  };
}
