import type { Node } from 'node-red';
import type { JellyfinClient } from '../lib/clients/jellyfin';
import type { QbitClient } from '../lib/clients/qbittorrent';
import type { ShokoHub } from '../lib/clients/shoko-hub';
import type { StatusStore } from '../lib/store/store';

/** The status-store config node as its users see it. */
export interface StatusStoreNode extends Node {
  /** The open store; rejects if the database could not be opened. */
  store(): Promise<StatusStore>;
}

/** The shoko-server config node as its users see it. */
export interface ShokoServerNode extends Node {
  /** The shared hub connection; undefined when no URL is configured. */
  readonly hub: ShokoHub | undefined;
  /** Import folder id -> where the arrs see that folder (path mappings over Shoko's own paths). */
  folders(): ReadonlyMap<number, string>;
}

/** The qbittorrent-server config node: one client (one session) for every qbit-progress. */
export interface QbittorrentServerNode extends Node {
  /** Undefined when no URL is configured. */
  readonly client: QbitClient | undefined;
}

/** The jellyfin-server config node. */
export interface JellyfinServerNode extends Node {
  /** Undefined when no URL is configured. */
  readonly client: JellyfinClient | undefined;
}
