import type { Node } from 'node-red';
import type { ActingPolicy } from '../../lib/acting-access';
import type { JellyfinClient } from '../../lib/services/jellyfin/client';
import type { QbitClient } from '../../lib/services/qbittorrent/client';
import type { ShokoHub } from '../../lib/services/shoko/hub';
import type { StoreKeeper } from '../../lib/store/keeper';
import type { StatusStore } from '../../lib/store/store';
import type { TrackOptions, TrackResult } from '../../lib/tracker/track';
import type { SyncSource } from '../../lib/sync';
import type { ArrClient } from '../../lib/services/arr/client';
import type { JellyseerrClient } from '../../lib/services/jellyseerr/client';
import type { ArrInstance } from '../../lib/model';

/** What an acting route answers: a status code and a JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

/** What a node that uses a store offers through it (see StatusStoreNode.use). */
export interface StoreUse {
  /** A media-action: acts on this store's requests for the sidebar's and the status page's buttons. */
  act?: (input: Record<string, unknown>, by: string) => Promise<Answer>;
  /** A status-page: the path it serves this store's page at. */
  page?: string;
}

/** The status-store config node as its users see it. */
export interface StatusStoreNode extends Node {
  /** Its name, else its database file (the sidebar's store picker). */
  readonly label: string;
  /**
   * The nodes that use this store say so, as an mqtt-broker's clients do, with what they offer;
   * the returned function withdraws it (on close).
   */
  use(node: Node, offer: StoreUse): () => void;
  /** An action from the editor's sidebar or the status page, through the media-action that acts on this store. */
  act(input: Record<string, unknown>, by: string): Promise<Answer>;
  /** The paths of the status pages that show this store. */
  pages(): string[];
  /** Opens the store and keeps trying when it cannot; says when it opens (again) and why it cannot. */
  readonly keeper: StoreKeeper;
  /** The open store; rejects at once with the reason while it cannot be opened. */
  store(): Promise<StatusStore>;
  /** Who may make the nodes that use this store act over HTTP: its API token, and whether Node-RED authenticates HTTP nodes. */
  readonly actingPolicy: ActingPolicy;
  /** The tracker's rules for this store's requests: every node that tracks events into it uses them. */
  readonly trackOptions: TrackOptions;
  /** Look for stuck requests now (`now` replaces the clock): what was flagged. */
  checkStuck(now: Date): Promise<TrackResult[]>;
  /**
   * The timer's stuck findings go out through one episode-state's state-change output: the first to
   * offer (in deploy order); when it closes, the next. Returns the way to withdraw.
   */
  offerStuckOutput(send: (results: TrackResult[]) => void): () => void;
}

/** The shoko-server config node as its users see it. */
export interface ShokoServerNode extends Node {
  /** Why the server cannot be used (a bad URL), for its users to show. */
  readonly problem: string | undefined;
  /** The shared hub connection; undefined when no URL is configured. */
  readonly hub: ShokoHub | undefined;
  /** Import folder id -> where the arrs see that folder (path mappings over Shoko's own paths). */
  folders(): ReadonlyMap<number, string>;
}

/** The qbittorrent-server config node: one client (one session) for every qbit-progress. */
export interface QbittorrentServerNode extends Node {
  /** Why the server cannot be used (a bad URL), for its users to show. */
  readonly problem: string | undefined;
  /** Undefined when no URL is configured. */
  readonly client: QbitClient | undefined;
}

/** The jellyfin-server config node. */
export interface JellyfinServerNode extends Node {
  /** Why the server cannot be used (a bad URL), for its users to show. */
  readonly problem: string | undefined;
  /** Undefined when no URL is configured. */
  readonly client: JellyfinClient | undefined;
  /** Where people open Jellyfin: JELLYFIN_PUBLIC_URL, else the server's own address (undefined: none configured). */
  readonly publicUrl: string | undefined;
}

/** An arr-server config node: a Radarr or Sonarr instance, read by media-sync and acted on by media-action. */
export interface ArrServerNode extends SyncServerNode {
  readonly instance: ArrInstance;
  /** Undefined when no URL is configured. */
  readonly client: ArrClient | undefined;
}

/** The jellyseerr-server config node. */
export interface JellyseerrServerNode extends SyncServerNode {
  /** Undefined when no URL is configured. */
  readonly client: JellyseerrClient | undefined;
}

/** What a server config node's last call found, for its edit dialog: ok, a ServiceError's kind, or off/error (no or a bad URL). */
export interface ServerHealth {
  state: string;
  message?: string;
  at?: string;
}

/** A jellyseerr-server or arr-server config node: what media-sync reads. */
export interface SyncServerNode extends Node {
  /** What its last call found (shown in its edit dialog). */
  health(): ServerHealth;
  /** Why the server cannot be used (a bad URL), for its users to show. */
  readonly problem: string | undefined;
  /** Undefined when no URL is configured (the source is idle). */
  readonly source: SyncSource | undefined;
  /** The instance name, the key of a sync's report. */
  readonly instanceName: string;
}

/** The server config nodes media-sync and media-action take: a Jellyseerr, and HD and 4K Radarr and Sonarr instances (node ids). */
export interface ServerRefs {
  jellyseerr: string;
  radarr: string;
  radarr4k: string;
  sonarr: string;
  sonarr4k: string;
}
export const ARR_REFS = ['radarr', 'radarr4k', 'sonarr', 'sonarr4k'] as const satisfies readonly (keyof ServerRefs)[];
