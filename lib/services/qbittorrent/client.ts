import { z } from 'zod';
import { formatIssues } from '../http/schema-helpers';
import { ServiceError, type ServiceErrorKind } from '../http/errors';
import { parseJson, ServiceHttp, type ServiceAnswer, type TlsTrust } from '../http/http';
import { TorrentFileListSchema, TorrentListSchema, TorrentPropertiesSchema, type Torrent, type TorrentFile } from './torrents';

/**
 * qBittorrent's WebUI API v2 (payloads.md section 5.1): a form login that answers 200 "Fails." for a
 * wrong password and sets a session cookie (SID) for a right one; 403 for a request without a live
 * session (re-login once) and for a banned IP. A refused login is remembered: no call reaches
 * qBittorrent again before `authRetryMs`, so a wrong password is a status, not a retry storm (and
 * never earns a ban). No Origin or Referer is sent, which keeps its CSRF check quiet.
 */

/** Longer query strings go in a POST body. */
const MAX_QUERY = 2000;

export interface QbitOptions {
  url: string;
  username: string;
  password: string;
  /** How long a refused login is believed. */
  authRetryMs?: number;
  timeoutMs?: number;
  now?: () => number;
  tls?: TlsTrust;
}

export class QbitClient {
  private sid: string | undefined;
  private refused: { at: number; error: ServiceError } | undefined;
  private readonly http: ServiceHttp;

  constructor(private readonly options: QbitOptions) {
    this.http = new ServiceHttp('qBittorrent', options.url, options.tls, options.timeoutMs);
  }

  /** An error of this qBittorrent, saying where it is. */
  private error(message: string, kind: ServiceErrorKind, status?: number): ServiceError {
    return new ServiceError('qBittorrent', kind, message, this.http.where, status);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private async login(): Promise<void> {
    if (this.refused && this.now() - this.refused.at < (this.options.authRetryMs ?? 300000)) throw this.refused.error;
    const res = await this.http.call('/api/v2/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: this.options.username, password: this.options.password }).toString(),
    });
    const text = res.text.trim();
    if (res.status === 403) this.refuse(this.error('qBittorrent banned this address after failed logins', 'refused', 403));
    if (res.status !== 200 || text !== 'Ok.') this.refuse(this.error('qBittorrent refused the username or password', 'unauthorised', res.status));
    this.refused = undefined;
    // The cookie is SID unless WebAPI\SessionCookieName says otherwise: keep whatever it set.
    this.sid = (res.headers['set-cookie'] ?? []).map((cookie) => cookie.split(';')[0] ?? '').find((pair) => pair.includes('=')) ?? this.sid;
  }

  private refuse(error: ServiceError): never {
    this.refused = { at: this.now(), error };
    this.sid = undefined;
    throw error;
  }

  /**
   * A call with the session, logging in first when there is none and once more on a 403. Long
   * parameter lists (hundreds of hashes) go as a form body: a URL that long is refused (431); so do
   * writes (`post`), which qBittorrent takes only as POST.
   */
  private async call(path: string, params: Record<string, string>, post = false, allowed: number[] = []): Promise<ServiceAnswer> {
    if (!this.sid) await this.login();
    const query = new URLSearchParams(params).toString();
    const form = post || query.length > MAX_QUERY;
    const send = () =>
      this.http.call(form ? path : `${path}?${query}`, {
        method: form ? 'POST' : 'GET',
        headers: { ...(this.sid ? { cookie: this.sid } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body: form ? query : undefined,
      });
    let res = await send();
    if (res.status === 403) {
      this.sid = undefined;
      await this.login();
      res = await send();
    }
    if ((res.status < 200 || res.status >= 300) && !allowed.includes(res.status))
      throw this.error(`qBittorrent answered ${res.status} for ${path}`, res.status === 403 ? 'unauthorised' : 'refused', res.status);
    return res;
  }

  private async read<T>(path: string, params: Record<string, string>, schema: z.ZodType<T>): Promise<T> {
    const res = await this.call(path, params);
    const parsed = schema.safeParse(parseJson(res.text));
    if (!parsed.success) throw this.error(`unexpected answer from ${path}: ${formatIssues(parsed.error)}`, 'bad-answer');
    return parsed.data;
  }

  /** Remove torrents (any case), keeping their files unless `deleteFiles` (service-apis.md section 6); the answer's status. */
  async deleteTorrents(hashes: string[], deleteFiles: boolean): Promise<number> {
    const res = await this.call('/api/v2/torrents/delete', { hashes: hashes.map((h) => h.toLowerCase()).join('|'), deleteFiles: String(deleteFiles) }, true);
    return res.status;
  }

  /** The torrents with these hashes (any case), in one call; unknown hashes are simply absent. */
  torrents(hashes: string[]): Promise<Torrent[]> {
    return this.read('/api/v2/torrents/info', { hashes: hashes.map((h) => h.toLowerCase()).join('|') }, TorrentListSchema);
  }

  /**
   * Whether a torrent is private (its tracker forbids leaving before a seeding obligation): 5.x's
   * `private`, 4.x's `is_private` of `torrents/properties`; undefined while qBittorrent does not know
   * (no metadata yet, or an old version without either).
   */
  async isPrivate(hash: string): Promise<boolean | undefined> {
    const path = '/api/v2/torrents/properties';
    const res = await this.call(path, { hash: hash.toLowerCase() }, false, [404]);
    // Not in qBittorrent (any more): nothing to tell.
    if (res.status === 404) return undefined;
    const parsed = TorrentPropertiesSchema.safeParse(parseJson(res.text));
    if (!parsed.success) throw this.error(`unexpected answer from ${path}: ${formatIssues(parsed.error)}`, 'bad-answer');
    return parsed.data.private ?? parsed.data.is_private ?? undefined;
  }

  files(hash: string): Promise<TorrentFile[]> {
    return this.read('/api/v2/torrents/files', { hash: hash.toLowerCase() }, TorrentFileListSchema);
  }
}
