import type { Node, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { RED } from './red';
import { StatusLight } from './status';
import type { ServerHealth, StatusStoreNode } from './types';
import type { ApiClient } from '../../lib/services/http/api-client';

export type Send = (msg: NodeMessage | (NodeMessage | null)[]) => void;
export type Done = (err?: Error) => void;

/**
 * A config node this node cannot work without. When it is missing (none selected, or not deployed)
 * the node says so the same way everywhere: a red status, one line in the log, and every message
 * answered by `fail` with the reason. Returns the config node, or undefined when it is missing.
 */
export function requiredConfig<T extends Node>(
  RED: RED,
  node: Node,
  id: string | undefined,
  keys: { status: string; error: string },
  fail: (msg: NodeMessageInFlow, send: Send, done: Done, err: Error) => void,
): T | undefined {
  const config = id ? (RED.nodes.getNode(id) as T | null) : null;
  if (config) return config;
  const err = new Error(RED._(keys.error));
  new StatusLight(RED, node).show('problem', keys.status);
  node.error(err.message);
  node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => fail(msg, send, done, err));
  return undefined;
}

/**
 * The status-store a node is configured with (see requiredConfig): its `<type>.status.noStore` and
 * `<type>.errors.noStore` say it is missing; a message meanwhile ends in `fail` (default: done(err)).
 */
export function requiredStore(
  RED: RED,
  node: Node,
  type: string,
  id: string | undefined,
  fail: (msg: NodeMessageInFlow, send: Send, done: Done, err: Error) => void = (_msg, _send, done, err) => done(err),
): StatusStoreNode | undefined {
  return requiredConfig<StatusStoreNode>(RED, node, id, { status: `${type}.status.noStore`, error: `${type}.errors.noStore` }, fail);
}

/** A server config node that may be configured or not (no URL: the service is simply not used). */
interface ServerNode<Client> extends Node {
  readonly client: Client | undefined;
  readonly problem: string | undefined;
}

/**
 * The config nodes of a node that asks a service about what the store holds (qbit-progress,
 * jellyfin-verify): both required; a server without a URL leaves the node idle (grey, or red with the
 * server's problem) and its messages to `idle`. Returns what it needs to work, or undefined.
 */
export function serviceAndStore<Client>(
  RED: RED,
  node: Node,
  light: StatusLight,
  type: string,
  ids: { server: string; store: string },
  idle: (msg: NodeMessageInFlow, send: Send, done: Done) => void,
): { client: Client; storeNode: StatusStoreNode } | undefined {
  const fail = (_msg: NodeMessageInFlow, _send: Send, done: Done, err: Error) => done(err);
  const server = requiredConfig<ServerNode<Client>>(RED, node, ids.server, { status: `${type}.status.noServer`, error: `${type}.errors.noServer` }, fail);
  const storeNode = server && requiredStore(RED, node, type, ids.store, fail);
  if (!server || !storeNode) return undefined;
  if (server.client) return { client: server.client, storeNode };
  if (server.problem) light.showText('problem', server.problem);
  else light.show('off', `${type}.status.notConfigured`);
  node.on('input', idle);
  return undefined;
}

/** A server config node's health: its API's last call, else off (no URL) or error (a URL it cannot use). */
export function healthOf(api: ApiClient | undefined, problem: string | undefined): ServerHealth {
  return api?.health ?? { state: problem ? 'error' : 'off', message: problem };
}
