import type { Node, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { RED } from './red';
import { StatusLight } from './status';

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
