import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The optional shared secret of a webhook. Senders differ in what they can send: Jellyseerr an
 * Authorization header verbatim (so "Bearer s" or just "s"), Radarr/Sonarr HTTP Basic (the password),
 * Jellyfin any header (X-Webhook-Secret), anything a `?token=` query.
 */
export interface RequestLike {
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
}

function header(req: RequestLike, name: string): string | undefined {
  const value = req.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

export function presentedSecrets(req: RequestLike | undefined): string[] {
  if (!req) return [];
  const found: string[] = [];
  const authorization = header(req, 'authorization')?.trim();
  if (authorization) {
    const [scheme = '', ...rest] = authorization.split(/\s+/);
    const credentials = rest.join(' ');
    if (/^bearer$/i.test(scheme) && credentials) found.push(credentials);
    else if (/^basic$/i.test(scheme) && credentials) {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) found.push(decoded.slice(colon + 1));
    } else found.push(authorization);
  }
  const custom = header(req, 'x-webhook-secret');
  if (custom) found.push(custom);
  const token = req.query?.token;
  if (typeof token === 'string' && token) found.push(token);
  return found;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Constant time in the secret's content: both sides are hashed to equal-length digests first. */
export function secretEquals(candidate: string, secret: string): boolean {
  return timingSafeEqual(digest(candidate), digest(secret));
}

export function hasSecret(req: RequestLike | undefined, secret: string): boolean {
  let ok = false;
  for (const candidate of presentedSecrets(req)) ok = secretEquals(candidate, secret) || ok;
  return ok;
}

/**
 * A request a web browser sent: it names the page it came from (Origin), or says it crossed sites
 * (Sec-Fetch-Site other than none/same-origin). The arrs, Jellyseerr and Jellyfin send neither. Without
 * this check any page a household member opens could POST a text/plain webhook (no CORS preflight).
 */
export function sentByBrowser(req: RequestLike | undefined): boolean {
  const site = header(req ?? {}, 'sec-fetch-site')?.toLowerCase();
  return !!header(req ?? {}, 'origin') || (site !== undefined && site !== 'none' && site !== 'same-origin');
}

export type Refusal = { statusCode: 401 | 403; error: string };

/** Whether a webhook may be read at all: the secret when one is set; from a browser, only with the secret. */
export function refusal(req: RequestLike | undefined, secret: string): Refusal | undefined {
  const proven = !!secret && hasSecret(req, secret);
  if (secret && !proven) return { statusCode: 401, error: 'missing or wrong webhook secret' };
  if (!proven && sentByBrowser(req))
    return { statusCode: 403, error: 'sent by a web browser without the webhook secret: refused (set a webhook secret for senders that run in a browser)' };
  return undefined;
}
