import type { NodeAPI, NodeAPISettingsWithData } from 'node-red';
import { systemClock, type Clock } from '../../lib/clock';
import type { RetryPolicy } from '../../lib/services/shoko/hub';

/** The settings.js entries this package reads (each declared by its node type's registerType). */
export interface PackageSettings extends NodeAPISettingsWithData {
  /** status-page: ms between Server-Sent Events heartbeats. */
  statusPageHeartbeat?: number;
  /** shoko-server: how the hub connection retries, and how long one try may take (connectMs). */
  shokoServerRetry?: Partial<RetryPolicy> & { connectMs?: number };
  /** Every node: the clock the package's rules and timers read (default: the system's); for tests and replays. */
  mediaStatusClock?: Clock;
}

export type RED = NodeAPI<PackageSettings>;

/** The package's clock: settings.js `mediaStatusClock` when given, else the system's. */
export function clockOf(RED: RED): Clock {
  const clock = RED.settings.mediaStatusClock;
  return clock && typeof clock.now === 'function' && typeof clock.after === 'function' ? clock : systemClock;
}
