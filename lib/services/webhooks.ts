import type { ArrInstance } from '../model';
import { z } from 'zod';
import type { MediaEvent } from '../events';
import { normaliseJellyfin } from './jellyfin/webhook';
import { normaliseJellyseerr } from './jellyseerr/webhook';
import { normaliseRadarr } from './arr/radarr-webhook';
import { formatIssues } from './http/schema-helpers';
import { normaliseSonarr } from './arr/sonarr-webhook';

export const WEBHOOK_SOURCES = ['jellyseerr', 'radarr', 'sonarr', 'jellyfin'] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

/** Bodies above this are refused before parsing (Node-RED's own default limit for http in is 5 MB). */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export type ParseResult = { ok: true; event: MediaEvent; source: WebhookSource } | { ok: false; statusCode: 400 | 413; error: string };

const NORMALISERS: Record<WebhookSource, (body: unknown, at: string) => MediaEvent> = {
  jellyseerr: normaliseJellyseerr,
  radarr: normaliseRadarr,
  sonarr: normaliseSonarr,
  jellyfin: normaliseJellyfin,
};

const RADARR_KEYS = ['movie', 'remoteMovie', 'movieFile', 'renamedMovieFiles'];
const SONARR_KEYS = ['series', 'episodes', 'episodeFile', 'episodeFiles', 'renamedEpisodeFiles'];

/**
 * Which service sent this body. Radarr and Sonarr share their envelope; their service-level events
 * (Health, ApplicationUpdate) carry no movie or series, so the instance name decides, then the one
 * documented difference: Radarr adds `applicationUrl` to Health and ApplicationUpdate, Sonarr does not.
 */
export function detectSource(body: Record<string, unknown>): WebhookSource | undefined {
  if ('notification_type' in body) return 'jellyseerr';
  if ('NotificationType' in body) return 'jellyfin';
  if (!('eventType' in body)) return undefined;
  if (RADARR_KEYS.some((key) => key in body)) return 'radarr';
  if (SONARR_KEYS.some((key) => key in body)) return 'sonarr';
  const instance = typeof body.instanceName === 'string' ? body.instanceName.toLowerCase() : '';
  if (instance.includes('radarr')) return 'radarr';
  if (instance.includes('sonarr')) return 'sonarr';
  return 'applicationUrl' in body ? 'radarr' : 'sonarr';
}

/** The body as an object: `http in` hands over an object, a string (text/plain) or a Buffer (raw body). */
export function bodyToObject(payload: unknown): { ok: true; body: Record<string, unknown> } | { ok: false; statusCode: 400 | 413; error: string } {
  let value = payload;
  if (Buffer.isBuffer(value)) {
    if (value.length > MAX_BODY_BYTES) return { ok: false, statusCode: 413, error: `body: larger than ${MAX_BODY_BYTES} bytes` };
    value = value.toString('utf8');
  }
  if (typeof value === 'string') {
    if (value.length > MAX_BODY_BYTES) return { ok: false, statusCode: 413, error: `body: larger than ${MAX_BODY_BYTES} bytes` };
    if (!value.trim()) return { ok: false, statusCode: 400, error: 'body: empty' };
    try {
      value = JSON.parse(value);
    } catch (err) {
      return { ok: false, statusCode: 400, error: `body: not valid JSON (${(err as Error).message.slice(0, 200)})` };
    }
  }
  if (value === null || value === undefined) return { ok: false, statusCode: 400, error: 'body: empty' };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, statusCode: 400, error: `body: expected object, received ${Array.isArray(value) ? 'array' : typeof value}` };
  }
  return { ok: true, body: value as Record<string, unknown> };
}

/** An arr instance as a webhook names it (`?instance=`): a 4K Radarr beside the HD one. */
type ArrInstanceName = Pick<ArrInstance, 'name' | 'is4k'>;

/** The instance an arr's event came from: the one given, else the arr's default (`radarr`, `sonarr`). */
function withInstance(event: MediaEvent, instance: ArrInstanceName | undefined): MediaEvent {
  if ((event.source !== 'radarr' && event.source !== 'sonarr') || !('media' in event)) return event;
  const { name, is4k } = instance ?? { name: event.source, is4k: false };
  return { ...event, media: { ...event.media, instance: name, is4k } };
}

export function parseWebhook(payload: unknown, source: WebhookSource | 'auto', now: Date = new Date(), instance?: ArrInstanceName): ParseResult {
  const input = bodyToObject(payload);
  if (!input.ok) return input;
  const resolved = source === 'auto' ? detectSource(input.body) : source;
  if (!resolved) {
    return {
      ok: false,
      statusCode: 400,
      error: 'body: not a Jellyseerr, Radarr, Sonarr or Jellyfin webhook (no notification_type, eventType or NotificationType)',
    };
  }
  try {
    return { ok: true, source: resolved, event: withInstance(NORMALISERS[resolved](input.body, now.toISOString()), instance) };
  } catch (err) {
    if (err instanceof z.ZodError) return { ok: false, statusCode: 400, error: formatIssues(err) };
    throw err;
  }
}
