import {
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
  type IHttpConnectionOptions,
  type ILogger,
  type RetryContext,
} from '@microsoft/signalr';
import { EventEmitter } from 'node:events';
import { systemClock, type Clock } from '../../clock';
import { SHOKO_EVENTS } from './events';
import { ServiceHttp, type TlsTrust } from '../http/http';
import { ServiceHttpClient, trustedWebSocket } from './hub-transport';

/**
 * One live connection to Shoko Server's SignalR event hub (`/signalr/aggregate?feeds=shoko`), that
 * never gives up. @microsoft/signalr on its own does: its automatic reconnect stops after four tries,
 * a failed first start is never retried, and a server close without `allowReconnect` stays closed.
 * Here every one of those retries with capped exponential backoff, and an answer of 401/403 waits the
 * longer `authMs` instead of hammering a server that will keep saying no.
 */

export type HubStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'auth-failed' | 'disconnected' | 'stopped';

export interface HubState {
  status: HubStatus;
  /** Which try this is since the connection was last up (0 when connected). */
  attempt: number;
  /** Why it is not connected (never contains the API key). */
  reason?: string;
  /** When the next try is due. */
  retryInMs?: number;
}

export interface HubLogger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  /** The wait after the server refused the API key. */
  authMs: number;
}

export interface ShokoHubOptions {
  /** Shoko Server's base URL, e.g. http://shoko:8111 */
  url: string;
  apiKey?: string;
  retry?: Partial<RetryPolicy>;
  logger?: HubLogger;
  /** How long without a message (pings included) before the connection counts as lost. */
  serverTimeoutMs?: number;
  /** How long one try to connect may take (negotiation, WebSocket upgrade) before it is given up and retried. */
  connectTimeoutMs?: number;
  /** A self-signed certificate to trust. */
  tls?: TlsTrust;
  /** The clock its own retries wait on (SignalR's automatic reconnects keep their own timers). */
  clock?: Clock;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15000;

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 1000, maxMs: 30000, authMs: 60000 };

export function hubUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/signalr/aggregate?feeds=shoko`;
}

function isAuthFailure(error: unknown): string | undefined {
  const match = /Status code '(401|403)'/.exec(error instanceof Error ? error.message : String(error ?? ''));
  return match ? match[1] : undefined;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error ?? 'closed');
  return text.replace(/^Failed to complete negotiation with the server: (Error: )?/, '').slice(0, 200);
}

/** SignalR's log lines, at their own level, into the given logger (never the console). */
function loggerFor(logger: HubLogger | undefined): ILogger {
  return {
    log(level: LogLevel, message: string) {
      if (!logger) return;
      if (level >= LogLevel.Error) logger.error(message);
      else if (level === LogLevel.Warning) logger.warn(message);
      else if (level === LogLevel.Information) logger.info(message);
      else if (level === LogLevel.Debug) logger.debug(message);
      else logger.trace(message);
    },
  };
}

export interface ShokoHubEvents {
  state: [HubState];
  /** One invocation from the hub: its target (e.g. `ShokoEvent:FileMatched`) and its one argument. */
  invocation: [string, unknown];
}

export class ShokoHub extends EventEmitter<ShokoHubEvents> {
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly connection: HubConnection;
  private current: HubState = { status: 'idle', attempt: 0 };
  private cancelRetry: (() => void) | undefined;
  private started = false;
  private stopping = false;

  constructor(options: ShokoHubOptions) {
    super();
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.clock = options.clock ?? systemClock;
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const http = new ServiceHttp('Shoko', options.url, options.tls, connectTimeoutMs);
    // `WebSocket` is read by the client in Node though its typings leave it out.
    const transport: IHttpConnectionOptions & { WebSocket: unknown } = {
      headers: options.apiKey ? { apikey: options.apiKey } : {},
      httpClient: new ServiceHttpClient(http, connectTimeoutMs),
      WebSocket: trustedWebSocket(http, connectTimeoutMs),
    };
    this.connection = new HubConnectionBuilder()
      .withUrl(hubUrl(options.url), transport)
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => this.nextRetry(context) })
      .configureLogging(loggerFor(options.logger))
      .build();
    if (options.serverTimeoutMs) {
      this.connection.serverTimeoutInMilliseconds = options.serverTimeoutMs;
      this.connection.keepAliveIntervalInMilliseconds = Math.min(15000, Math.floor(options.serverTimeoutMs / 2));
    }
    for (const name of SHOKO_EVENTS) {
      const target = `ShokoEvent:${name}`;
      this.connection.on(target, (argument: unknown) => this.emit('invocation', target, argument));
    }
    this.connection.onreconnecting((error) => this.setState({ status: 'reconnecting', attempt: 1, reason: error ? describe(error) : undefined }));
    this.connection.onreconnected(() => this.setState({ status: 'connected', attempt: 0 }));
    // Closed for good by the client (reconnect gave up: it never does here) or by the server without
    // allowReconnect: start again ourselves.
    this.connection.onclose((error) => {
      if (this.stopping) return;
      this.scheduleStart(0, 'disconnected', error ? describe(error) : 'closed by the server');
    });
  }

  get state(): HubState {
    return this.current;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.connect(1);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelRetry?.();
    try {
      await this.connection.stop();
    } finally {
      this.setState({ status: 'stopped', attempt: 0 });
    }
  }

  private setState(state: HubState): void {
    this.current = state;
    this.emit('state', state);
  }

  private delay(previousTries: number): number {
    return Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** previousTries);
  }

  /** The automatic-reconnect policy: never null (never give up), longer after an auth failure. */
  private nextRetry(context: RetryContext): number {
    const attempt = context.previousRetryCount + 1;
    const code = isAuthFailure(context.retryReason);
    const retryInMs = code ? this.retry.authMs : this.delay(context.previousRetryCount);
    this.setState(
      code
        ? { status: 'auth-failed', attempt, reason: `Shoko refused the API key (${code})`, retryInMs }
        : { status: 'reconnecting', attempt, reason: describe(context.retryReason), retryInMs },
    );
    return retryInMs;
  }

  private scheduleStart(previousTries: number, status: HubStatus, reason: string, code?: string): void {
    const retryInMs = code ? this.retry.authMs : this.delay(previousTries);
    this.setState({ status, attempt: previousTries + 1, reason, retryInMs });
    this.cancelRetry?.();
    this.cancelRetry = this.clock.after(retryInMs, () => void this.connect(previousTries + 2));
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopping || this.connection.state !== HubConnectionState.Disconnected) return;
    this.setState({ status: 'connecting', attempt });
    try {
      await this.connection.start();
      if (this.stopping) await this.connection.stop();
      else this.setState({ status: 'connected', attempt: 0 });
    } catch (error) {
      if (this.stopping) return;
      const code = isAuthFailure(error);
      this.scheduleStart(attempt - 1, code ? 'auth-failed' : 'disconnected', code ? `Shoko refused the API key (${code})` : describe(error), code);
    }
  }
}
