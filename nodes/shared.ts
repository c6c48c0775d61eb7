import type { Node, NodeAPI } from 'node-red';
import { configValue } from '../lib/config-values';

/**
 * A secret from a node's credential, else from the environment variable the node names (so flows
 * can be shared without secrets in them). Never logged.
 */
export function secretFrom(RED: NodeAPI, node: Node, credential: unknown, envName: string | undefined): string {
  if (typeof credential === 'string' && credential) return credential;
  return envName ? configValue(RED.util.evaluateNodeProperty(envName, 'env', node, {})) : '';
}

/** A number of seconds from a node property that may be `${VAR}`; the fallback when unset or invalid. */
export function secondsFrom(value: unknown, fallback: number): number {
  const seconds = Number(configValue(typeof value === 'number' ? String(value) : value));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : fallback;
}
