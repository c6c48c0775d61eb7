import type { NodeAPI, NodeAPISettingsWithData } from 'node-red';
import type { RetryPolicy } from '../../lib/services/shoko/hub';

/** The settings.js entries this package reads (each declared by its node type's registerType). */
export interface PackageSettings extends NodeAPISettingsWithData {
  /** status-page: ms between Server-Sent Events heartbeats. */
  statusPageHeartbeat?: number;
  /** shoko-server: how the hub connection retries, and how long one try may take (connectMs). */
  shokoServerRetry?: Partial<RetryPolicy> & { connectMs?: number };
}

export type RED = NodeAPI<PackageSettings>;
