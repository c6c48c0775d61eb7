import type { Node, NodeDef } from 'node-red';
import type { TlsTrust } from '../../lib/services/http/http';
import { parseServiceUrl } from '../../lib/services/http/service-url';
import { configValue } from '../../lib/config-values';
import type { TrackOptions } from '../../lib/tracker/track';
import type { RED } from './red';

/**
 * A secret from a node's credential, else from the environment variable the node names (so flows
 * can be shared without secrets in them). Never logged.
 */
export function secretFrom(RED: RED, node: Node, credential: unknown, envName: string | undefined): string {
  if (typeof credential === 'string' && credential) return credential;
  return envName ? configValue(RED.util.evaluateNodeProperty(envName, 'env', node, {})) : '';
}

/** A positive number (seconds, minutes, days) from a node property that may be `${VAR}`; the fallback when unset or invalid. */
export function numberFrom(value: unknown, fallback: number): number {
  const seconds = Number(configValue(typeof value === 'number' ? String(value) : value));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : fallback;
}

/** A timer's period in ms from a seconds property: "0" turns it off (0), unset or invalid is the default. */
export function periodMs(value: unknown, defaultSeconds: number): number {
  return configValue(typeof value === 'number' ? String(value) : value) === '0' ? 0 : numberFrom(value, defaultSeconds) * 1000;
}

/**
 * A config node's service URL (may be `${VAR}`): undefined when unset (the service is simply not
 * used), or when it is not acceptable: then `problem` says why (logged once, shown by the users).
 */
export function serviceUrlFrom(node: Node, value: unknown, service: string): { url?: string; problem?: string } {
  const text = configValue(value);
  if (!text) return {};
  const parsed = parseServiceUrl(text, service);
  if (parsed.ok) return { url: parsed.url };
  node.error(parsed.error);
  return { problem: parsed.error };
}

/** What a server config dialog holds besides its own fields: the URL, the key's variable, the certificate trust. */
export interface KeyedServerConfig extends NodeDef {
  url: string;
  apiKeyEnv?: string;
  tlsCa?: string;
  tlsFingerprint?: string;
}

/** The credential of such a server (Node-RED's registerType types `this` by it). */
export type KeyedCredentials = { credentials: { apiKey: unknown } };

/** How to reach a server that takes an API key. */
export interface KeyedConnection {
  url: string;
  apiKey: string;
  tls: TlsTrust;
}

/**
 * A server config node's connection, from its URL, its `apiKey` credential (else the variable it
 * names) and its certificate trust: undefined without a usable URL (then `problem` may say why).
 */
export function keyedConnectionFrom(
  RED: RED,
  node: Node & KeyedCredentials,
  config: KeyedServerConfig,
  service: string,
): { connection?: KeyedConnection; problem?: string } {
  const { url, problem } = serviceUrlFrom(node, config.url, service);
  if (!url) return { problem };
  return { connection: { url, apiKey: secretFrom(RED, node, node.credentials?.apiKey, config.apiKeyEnv), tls: tlsTrustFrom(config) } };
}

/** A server config node's trust for a self-signed certificate: its CA (PEM) or its SHA-256 fingerprint. */
export function tlsTrustFrom(config: { tlsCa?: string; tlsFingerprint?: string }): TlsTrust {
  const ca = configValue(config.tlsCa);
  const fingerprint = configValue(config.tlsFingerprint);
  return { ...(ca ? { ca } : {}), ...(fingerprint ? { fingerprint } : {}) };
}

/** The tracker's rules as episode-state and media-sync configure them (the same three ticks on both). */
export function trackOptionsFrom(config: { createFromArr?: boolean; availableOnImport?: boolean; availableOnShokoMatch?: boolean }): TrackOptions {
  return {
    createFromArr: config.createFromArr !== false,
    availableOnImport: config.availableOnImport === true,
    availableOnShokoMatch: config.availableOnShokoMatch === true,
  };
}
