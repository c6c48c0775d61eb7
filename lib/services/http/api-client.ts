import type { z } from 'zod';
import { formatIssues } from './schema-helpers';
import { ServiceError, type ServiceErrorKind } from './errors';
import { parseJson, ServiceHttp, type TlsTrust } from './http';

/**
 * A JSON API behind an `X-Api-Key` (Radarr, Sonarr, Jellyseerr: service-apis.md section 1). Every
 * call says what it found, as a server config node shows it: ok, or the kind of its ServiceError
 * (unauthorised for 401/403, wrong-service for a 404 or an answer that is not this API, refused for
 * any other error status). Answers are checked with their schema; the key never appears in a message.
 */

export type ApiHealth = 'ok' | ServiceErrorKind;

export interface ApiOptions {
  url: string;
  apiKey: string;
  timeoutMs?: number;
  tls?: TlsTrust;
}

export type Query = Record<string, string | number | boolean | (string | number)[] | undefined>;

/** A call an action made, for its result: which service, what, and what it answered. */
export interface CallRecord {
  service: string;
  method: string;
  path: string;
  status: number;
}

/**
 * The items of a list answer that failed their schema: each is skipped and counted, and the first
 * reason kept for one warning, so one odd record never fails a whole sync, on every sync.
 */
export class Skips {
  count = 0;
  first: string | undefined;
}

/** The items that pass `schema`, one by one; the others are left out and noted in `skips`. */
export function eachValid<S extends z.ZodType>(items: unknown[], schema: S, where: string, skips: Skips): z.infer<S>[] {
  const valid: z.infer<S>[] = [];
  items.forEach((item, index) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) return void valid.push(parsed.data);
    skips.count++;
    skips.first ??= formatIssues(parsed.error, 1, `${where}[${index}]`);
  });
  return valid;
}

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    // Arrays repeat the key (seriesIds=23&seriesIds=31).
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export class ApiClient {
  private readonly http: ServiceHttp;
  /** What the last call found, and its message when it failed. */
  health: { state: ApiHealth; message?: string; at?: string } = { state: 'ok' };
  /** HTTP calls made (the bench counts them). */
  calls = 0;

  constructor(
    readonly service: string,
    private readonly options: ApiOptions,
  ) {
    this.http = new ServiceHttp(service, options.url, options.tls, options.timeoutMs ?? 30_000);
  }

  /** The service's URL as a log line may show it (never with credentials). */
  get where(): string {
    return this.http.where;
  }

  private fail(kind: ServiceErrorKind, message: string, status?: number): never {
    this.failed(new ServiceError(this.service, kind, message, this.where, status));
  }

  private failed(err: ServiceError): never {
    this.health = { state: err.kind, message: err.message, at: new Date().toISOString() };
    throw err;
  }

  /** GET `path` and check the answer with `schema` (`timeoutMs`: a slow call's own). */
  async get<S extends z.ZodType>(path: string, query: Query, schema: S, log?: CallRecord[], timeoutMs?: number): Promise<z.infer<S>> {
    return this.send('GET', path, query, undefined, schema, log, timeoutMs);
  }

  /** A call; `log` gets it with its answer's status (an action's record of what it asked). */
  async send<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Query,
    body: unknown,
    schema: S,
    log?: CallRecord[],
    timeoutMs?: number,
  ): Promise<z.infer<S>> {
    this.calls++;
    const target = `${path}${queryString(query)}`;
    let answer;
    try {
      answer = await this.http.call(target, {
        method,
        headers: { 'x-api-key': this.options.apiKey, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs,
      });
    } catch (err) {
      if (err instanceof ServiceError) this.failed(err);
      throw err;
    }
    log?.push({ service: this.service, method, path: target, status: answer.status });
    const where = `${this.service} ${path}`;
    if (answer.status === 401 || answer.status === 403)
      this.fail('unauthorised', `${where}: unauthorised (${answer.status}): check the API key`, answer.status);
    if (answer.status === 404) this.fail('wrong-service', `${where}: not found (404): is this ${this.service} at that URL?`, 404);
    if (answer.status < 200 || answer.status >= 300) {
      const said = (parseJson(answer.text) as { message?: unknown } | undefined)?.message;
      this.fail('refused', `${where}: answered ${answer.status}${typeof said === 'string' ? ` (${said.slice(0, 300)})` : ''}`, answer.status);
    }
    // DELETE and some POSTs answer with an empty body.
    const parsed = schema.safeParse(answer.text.trim() ? parseJson(answer.text) : undefined);
    if (!parsed.success) this.fail('wrong-service', `${where}: not ${this.service}'s answer (${formatIssues(parsed.error)})`, answer.status);
    this.health = { state: 'ok', at: new Date().toISOString() };
    return parsed.data;
  }
}
