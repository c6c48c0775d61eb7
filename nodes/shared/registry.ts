import { EventEmitter } from 'node:events';
import type { Node } from 'node-red';
import type { MediaActions } from '../../lib/actions/actions';
import type { ApiClient } from '../../lib/services/http/api-client';
import type { StatusStore } from '../../lib/store/store';
import type { TrackResult } from '../../lib/tracker/track';

/**
 * What the editor sidebar (a plugin, not a node) needs to find: the open stores and the status
 * pages. Config and page nodes add themselves while they run.
 */
export interface OpenStore {
  id: string;
  name: string;
  store: StatusStore;
}

class Registry extends EventEmitter<{ store: [OpenStore] }> {
  readonly stores = new Map<string, OpenStore>();
  readonly pages = new Map<string, string>();
  /**
   * Each store's actions (the first media-action node using it), by the store node's id: the
   * sidebar's and the page's buttons act through them, and their news leaves through that node.
   */
  readonly actions = new Map<string, { actions: MediaActions; notify: (news: TrackResult[]) => void }>();
  /** What each deployed jellyseerr-server and arr-server found on its last call, by node id (shown in its edit dialog). */
  readonly servers = new Map<string, () => { state: string; message?: string; at?: string }>();
  /** The arr-server nodes' instances by name (a webhook's `?instance=` names one), and whether each is 4K. */
  readonly arrInstances = new Map<string, { is4k: boolean }>();

  /** A server config node's last call, for its edit dialog (see media-status-sidebar), until it closes. */
  watchServer(node: Node, api: ApiClient | undefined, problem: string | undefined): void {
    this.servers.set(node.id, () => api?.health ?? { state: problem ? 'error' : 'off', message: problem });
    node.on('close', () => this.servers.delete(node.id));
  }

  addStore(entry: OpenStore): void {
    this.stores.set(entry.id, entry);
    this.emit('store', entry);
  }
}

export const registry = new Registry();
