import { HttpClient, HttpError, HttpResponse, type HttpRequest } from '@microsoft/signalr';
import { createRequire } from 'node:module';
import type { ServiceHttp } from '../http/http';

/**
 * What the Shoko hub's SignalR client talks through: its HTTP calls (the negotiation, which carries
 * the API key) go through ServiceHttp, so a redirect is refused, a server that never answers times out
 * and a configured certificate is trusted; its WebSocket gets the same certificate and a handshake
 * timeout, so an upgrade that hangs is given up and retried.
 */

export class ServiceHttpClient extends HttpClient {
  constructor(
    private readonly http: ServiceHttp,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const answer = await this.http.call(request.url ?? '', {
      method: request.method === 'POST' ? 'POST' : 'GET',
      headers: Object.fromEntries(Object.entries(request.headers ?? {})),
      body: typeof request.content === 'string' ? request.content : undefined,
      timeoutMs: this.timeoutMs,
      onCancel: (cancel) => {
        if (request.abortSignal) request.abortSignal.onabort = cancel;
      },
    });
    // SignalR reads the status from its own error type ("Status code '401'").
    if (answer.status < 200 || answer.status >= 300) throw new HttpError(answer.text.slice(0, 200) || `status ${answer.status}`, answer.status);
    return new HttpResponse(answer.status, '', answer.text);
  }
}

type WebSocketClass = new (url: string, protocols?: string | string[], options?: Record<string, unknown>) => object;

/** The `ws` the SignalR client itself depends on, with our handshake timeout and certificate trust. */
export function trustedWebSocket(http: ServiceHttp, handshakeTimeoutMs: number): WebSocketClass {
  const ws = createRequire(require.resolve('@microsoft/signalr'))('ws') as WebSocketClass;
  return class extends ws {
    constructor(url: string, protocols?: string | string[], options: Record<string, unknown> = {}) {
      super(url, protocols, { ...options, handshakeTimeout: handshakeTimeoutMs, ...http.knownTlsOptions() });
    }
  };
}
