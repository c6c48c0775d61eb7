import { type CallRecord } from '../services/http/api-client';
import type { ArrClient } from '../services/arr/client';
import { type JellyfinClient } from '../services/jellyfin/client';
import type { JellyseerrClient } from '../services/jellyseerr/client';
import { type QbitClient } from '../services/qbittorrent/client';
import type { ActionEvent, EpisodeKey, MediaEvent } from '../events';
import type { RequestRecord } from '../model';
import type { RequestSnapshot } from '../snapshot-schema';
import type { StatusStore } from '../store/store';
import type { ArrInstance } from '../model';
import { track, type TrackOptions, type TrackResult } from '../tracker/track';
import { ServiceError } from '../services/http/errors';

/** What every action module shares: the services, its errors, how it is recorded and what it gives back. */

/**
 * An action that cannot be done: 400 (does not apply), 404 (no such request), 502 (a service refused);
 * or may not be asked for: 401, 403 (who asked), 415 (not JSON), 429 (too many).
 */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly statusCode: 400 | 401 | 403 | 404 | 415 | 429 | 502,
    /** The URL of the service that refused (502), for a log line. */
    readonly where?: string,
  ) {
    super(message);
  }
}

export interface ActionServices {
  arrs: { instance: ArrInstance; client: ArrClient }[];
  jellyseerr?: JellyseerrClient;
  qbittorrent?: QbitClient;
  jellyfin?: JellyfinClient;
}

export interface ActionResult {
  ok: true;
  action: ActionEvent['action'] | 'forget';
  /** The request after the action (null once forgotten). */
  request: RequestSnapshot | null;
  calls: CallRecord[];
  /** What was done, in words (as the timeline says it), when the action said more than its name. */
  detail?: string;
}

/** What an action gives: its result (for the flow) and the state changes it caused (for notifications). */
export interface ActionOutcome {
  result: ActionResult;
  news: TrackResult[];
}

export const titleOf = (r: RequestRecord) => r.title ?? `request ${r.id}`;

/** One action asked for: the request, the episodes named (each tracked; none: the whole request), and where its calls and news go. */
export interface ActionJob {
  record: RequestRecord;
  episodes: EpisodeKey[];
  /** The person confirmed an action that cannot be undone (forget). */
  confirm?: boolean;
  calls: CallRecord[];
  news: TrackResult[];
}

/** What an action did: the words for its timeline entry and what else the entry records; or the request is gone. */
export type ActionDone = { detail: string; fields?: Pick<ActionEvent, 'key' | 'rejections' | 'keptPrivate'> } | { forgotten: true };

/** A service's refusal in its own words, as a 502; anything else is a bug and stays what it is. */
export function refused(err: unknown): never {
  if (err instanceof ServiceError) throw new ActionError(err.message, 502, err.where);
  throw err;
}

/** The arr instance of a request's kind (4K requests in 4K instances only), with the media's id there when known. */
export function arrFor(services: ActionServices, record: RequestRecord): { client: ArrClient; instance: ArrInstance; id: number | null } | undefined {
  const kind = record.mediaType === 'movie' ? 'radarr' : 'sonarr';
  let first: { client: ArrClient; instance: ArrInstance; id: number | null } | undefined;
  for (const arr of services.arrs) {
    if (arr.instance.kind !== kind || arr.instance.is4k !== record.is4k) continue;
    const id = record.instances.find((i) => i.name === arr.instance.name)?.id ?? (arr.instance.is4k ? null : record.ids[kind]);
    if (id) return { ...arr, id };
    first ??= { ...arr, id: null };
  }
  return first;
}

/** Record an action on a request through the tracker (the one path every event takes); its news, if any, into `news`. */
export async function recordAction(
  store: StatusStore,
  options: TrackOptions,
  record: RequestRecord,
  fields: Omit<ActionEvent, 'source' | 'at' | 'kind' | 'requestId'>,
  at: number,
  news: TrackResult[],
): Promise<void> {
  const event: MediaEvent = { source: 'tracker', at: new Date(at).toISOString(), kind: 'action', requestId: record.id, ...fields };
  const result = await track(store, event, options);
  if (result.notify) news.push(result);
}

/** The outcome of an action: the request as it is now (null once gone), every call made, and the news it caused. */
export async function outcomeOf(
  store: StatusStore,
  action: ActionResult['action'],
  requestId: number,
  calls: CallRecord[],
  news: TrackResult[],
  detail?: string,
): Promise<ActionOutcome> {
  const after = await store.read.getRequest(requestId);
  return { result: { ok: true, action, request: after ? await store.outlook.snapshot(after) : null, calls, ...(detail ? { detail } : {}) }, news };
}
