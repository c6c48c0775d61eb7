import { secretEquals, type Refusal, type RequestLike } from './webhook-secret';

/**
 * Who may make the tracker act (the example's action, sync and verify routes, and any `http in` wired
 * into a node that acts): never a web page of another site, only JSON, and only with a credential:
 * the API token as `Authorization: Bearer <token>`, or a user Node-RED's own `httpNodeAuth` or
 * `httpNodeMiddleware` authenticated. With neither configured nobody may act: safe by default.
 */

/** Bodies of acting routes are small JSON objects: anything larger is refused before it is read. */
export const ACTING_BODY_LIMIT = 64 * 1024;

/** The environment variable the example reads the API token from. */
export const API_TOKEN_ENV = 'STATUS_API_TOKEN';

export interface ActingPolicy {
  /** The API token (empty: none configured). */
  token: string;
  /** Node-RED's HTTP nodes are behind httpNodeAuth or httpNodeMiddleware (settings.js). */
  nodeAuth: boolean;
}

export type ActingRequest = RequestLike & { method?: string };

function header(req: RequestLike, name: string): string | undefined {
  const value = req.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A browser's request from another site: `Sec-Fetch-Site` says so (every current browser sends it), or,
 * from a browser without it, an `Origin` that is not the host the request was sent to.
 */
export function crossSite(req: RequestLike): boolean {
  const site = header(req, 'sec-fetch-site')?.toLowerCase();
  if (site !== undefined) return site === 'cross-site' || site === 'same-site';
  const origin = header(req, 'origin');
  if (origin === undefined) return false;
  const host = header(req, 'x-forwarded-host') ?? header(req, 'host');
  try {
    return new URL(origin).host.toLowerCase() !== host?.toLowerCase();
  } catch {
    // "null" (a sandboxed frame, a file) or garbage: not the page's own.
    return true;
  }
}

/** `application/json`, with or without parameters (charset). */
export function isJson(req: RequestLike): boolean {
  return /^application\/json\s*(;|$)/i.test(header(req, 'content-type')?.trim() ?? '');
}

function bearerOf(req: RequestLike): string | undefined {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '');
  return match?.[1];
}

/** Does the request carry the API token (compared in constant time)? */
export function hasApiToken(req: RequestLike, token: string): boolean {
  const presented = bearerOf(req);
  return !!token && presented !== undefined && secretEquals(presented, token);
}

const NO_CREDENTIAL = `acting needs a credential, and none is configured: set ${API_TOKEN_ENV} (the status-store's API token) and send Authorization: Bearer <token>, or put Node-RED's HTTP nodes behind httpNodeAuth or httpNodeMiddleware`;

/**
 * Why a request may not act, on its headers alone (before any body is read), or undefined when it may
 * go on (with httpNodeAuth or a middleware, Node-RED's own check still follows).
 */
export function actingRefusal(req: ActingRequest, policy: ActingPolicy): (Refusal | { statusCode: 415; error: string }) | undefined {
  if (crossSite(req)) return { statusCode: 403, error: 'refused: a web page of another site may not act on requests' };
  const method = (req.method ?? 'POST').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD' && !isJson(req)) return { statusCode: 415, error: 'content-type: must be application/json' };
  if (hasApiToken(req, policy.token)) return undefined;
  if (policy.nodeAuth) return undefined;
  if (!policy.token) return { statusCode: 403, error: NO_CREDENTIAL };
  return { statusCode: 401, error: 'missing or wrong API token: send Authorization: Bearer <token>' };
}

/**
 * The user Node-RED's authentication let through: the one a middleware named (`req.user`), or the
 * Basic auth user httpNodeAuth checked (only when it is configured: otherwise anyone can send any
 * name); undefined for an anonymous request.
 */
export function authenticatedUser(req: RequestLike & { user?: unknown }, nodeAuth: boolean): string | undefined {
  const user = req.user;
  const named =
    typeof user === 'string'
      ? user
      : ((user as { username?: unknown; name?: unknown } | undefined)?.username ?? (user as { name?: unknown } | undefined)?.name);
  if (typeof named === 'string' && named.trim()) return named.trim().slice(0, 100);
  const basic = /^basic\s+(\S+)/i.exec(header(req, 'authorization') ?? '')?.[1];
  if (basic && nodeAuth) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const name = decoded.slice(0, Math.max(0, decoded.indexOf(':'))).trim();
    if (name) return name.slice(0, 100);
  }
  return undefined;
}

/**
 * The user a reverse proxy in front of Node-RED authenticated, from its `Remote-User` header: only
 * when the status page is told to trust it (anyone who reaches Node-RED past the proxy can send it).
 */
export function proxyUser(req: RequestLike): string | undefined {
  const name = header(req, 'remote-user')?.trim();
  return name ? name.slice(0, 100) : undefined;
}

/**
 * Who acted, once the request passed Node-RED's authentication: the user it authenticated, or the API
 * token.
 */
export function actorOf(req: RequestLike & { user?: unknown }, policy: ActingPolicy, fallback = 'http user'): string {
  const user = authenticatedUser(req, policy.nodeAuth);
  if (user) return user;
  if (hasApiToken(req, policy.token)) return 'api token';
  return fallback;
}
