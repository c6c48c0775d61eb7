import type { Node } from 'node-red';
import type { StatusStore } from '../lib/store/store';

/** The status-store config node as its users see it. */
export interface StatusStoreNode extends Node {
  /** The open store; rejects if the database could not be opened. */
  store(): Promise<StatusStore>;
}
