/* Minimal shapes of the Express request and response. */
export type Req = {
  method: string;
  path: string;
  baseUrl: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  user?: unknown;
  on(event: 'close', listener: () => void): void;
};
export type Res = {
  status(code: number): Res;
  set(headers: Record<string, string>): Res;
  json(body: unknown): void;
  send(body: string): void;
  write(chunk: string): boolean;
  end(): void;
  destroy(): void;
  flushHeaders(): void;
  readonly writableLength: number;
};
