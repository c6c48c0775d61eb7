import { createHash, X509Certificate } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { ServiceError, type ServiceErrorKind } from './errors';

/**
 * The one way this package calls a service (qBittorrent, Jellyfin, Shoko's REST API). Its calls carry
 * secrets, so a redirect is never followed (it would hand them to whatever host it names): it is an
 * error that says where it pointed. One timeout covers the whole call, the answer's body included.
 * Every error names the service. A self-signed certificate is trusted when the config node names it:
 * its CA (PEM), or its SHA-256 fingerprint; nothing turns certificate checks off.
 */

export interface TlsTrust {
  /** PEM certificate(s) of the CA (or the self-signed certificate itself) to trust, besides the system's. */
  ca?: string;
  /** SHA-256 fingerprint of the one certificate to accept (hex, colons optional). */
  fingerprint?: string;
}

export interface ServiceAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  /** Called with a function that abandons the call (SignalR aborts a negotiation when it stops). */
  onCancel?: (cancel: () => void) => void;
}

const MAX_ANSWER = 64 * 1024 * 1024;

/** JSON or undefined (a schema then says what was expected). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const normaliseFingerprint = (value: string) => value.replace(/[^0-9a-f]/gi, '').toUpperCase();

export class ServiceHttp {
  private readonly base: URL;
  /** The pinned certificate as PEM, once the fingerprint was checked. */
  private pinned: Promise<string> | undefined;
  private pinnedPem: string | undefined;

  constructor(
    readonly service: string,
    baseUrl: string,
    private readonly trust: TlsTrust = {},
    private readonly defaultTimeoutMs = 10000,
  ) {
    this.base = new URL(baseUrl.replace(/\/+$/, '') + '/');
  }

  /** The base URL without credentials or query: safe to log. */
  get where(): string {
    return `${this.base.origin}${this.base.pathname}`.replace(/\/$/, '');
  }

  private fail(message: string, kind: ServiceErrorKind): ServiceError {
    return new ServiceError(this.service, kind, `${this.service} ${message}`, this.where);
  }

  /** The pinned certificate, fetched from the server and checked against the fingerprint. */
  private pin(fingerprint: string): Promise<string> {
    this.pinned ??= new Promise<string>((resolve, reject) => {
      const socket = connect(
        {
          host: this.base.hostname,
          port: Number(this.base.port) || 443,
          ...(isIP(this.base.hostname) ? {} : { servername: this.base.hostname }),
          rejectUnauthorized: false,
        },
        () => {
          const raw = socket.getPeerCertificate().raw;
          socket.end();
          const seen = createHash('sha256').update(raw).digest('hex').toUpperCase();
          if (seen !== normaliseFingerprint(fingerprint))
            return reject(this.fail(`presents a certificate with fingerprint ${seen}, not the one configured`, 'unreachable'));
          this.pinnedPem = new X509Certificate(raw).toString();
          resolve(this.pinnedPem);
        },
      );
      socket.setTimeout(this.defaultTimeoutMs, () => socket.destroy(this.fail('timed out during the TLS handshake', 'timeout')));
      socket.on('error', (err) =>
        reject(err instanceof ServiceError ? err : this.fail(`is unreachable (${(err as { code?: string }).code ?? err.message})`, 'unreachable')),
      );
    }).catch((err: unknown) => {
      this.pinned = undefined;
      throw err;
    });
    return this.pinned;
  }

  private async tlsOptions(): Promise<Record<string, unknown>> {
    if (this.base.protocol === 'https:' && this.trust.fingerprint) await this.pin(this.trust.fingerprint);
    return this.knownTlsOptions();
  }

  /**
   * TLS options for another client of the same server (the hub's WebSocket), once a call has pinned
   * the certificate (SignalR always negotiates over HTTP first).
   */
  knownTlsOptions(): Record<string, unknown> {
    const { fingerprint, ca } = this.trust;
    if (fingerprint && this.pinnedPem) {
      const expected = normaliseFingerprint(fingerprint);
      // The pinned certificate is the only CA; the name in it need not match (home servers rarely do).
      return {
        ca: this.pinnedPem,
        checkServerIdentity: (_host: string, cert: { fingerprint256: string }) =>
          normaliseFingerprint(cert.fingerprint256) === expected ? undefined : this.fail('changed its certificate', 'unreachable'),
      };
    }
    return ca ? { ca } : {};
  }

  async call(path: string, options: CallOptions = {}): Promise<ServiceAnswer> {
    const url = new URL(path.replace(/^\/+/, ''), this.base);
    const tls = await this.tlsOptions();
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<ServiceAnswer>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      const req = send(url, {
        method: options.method ?? 'GET',
        headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        agent: false,
        ...tls,
      });
      const timer = setTimeout(() => req.destroy(this.fail(`timed out after ${timeoutMs / 1000} s (${url.pathname})`, 'timeout')), timeoutMs);
      options.onCancel?.(() => req.destroy(this.fail('call abandoned', 'unreachable')));
      const settle = (err: Error | undefined, answer?: ServiceAnswer) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(answer!);
      };
      req.on('error', (err: Error & { code?: string }) => {
        if (err instanceof ServiceError) return settle(err);
        const tlsError = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(err.code ?? '');
        settle(
          tlsError
            ? this.fail(`presents a certificate that is not trusted (${err.code}): give its CA or fingerprint in the config node`, 'unreachable')
            : this.fail(`is unreachable (${err.code ?? err.message})`, 'unreachable'),
        );
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          const location = res.headers.location;
          let where = 'elsewhere';
          try {
            if (location) where = new URL(location, url).origin + new URL(location, url).pathname;
          } catch {
            // an unparsable Location: "elsewhere"
          }
          req.destroy();
          return settle(this.fail(`redirected to ${where}: check the URL`, 'redirected'));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER) req.destroy(this.fail(`answered more than ${MAX_ANSWER} bytes`, 'bad-answer'));
          else chunks.push(chunk);
        });
        res.on('end', () => settle(undefined, { status, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => settle(err instanceof ServiceError ? err : this.fail(`broke off its answer (${err.message})`, 'unreachable')));
      });
      req.end(body);
    });
  }
}
