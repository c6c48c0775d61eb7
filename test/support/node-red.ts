import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './fixtures';

/**
 * A real Node-RED process started the way a newcomer starts it (`npm start`, i.e. scripts/start.js):
 * this package linked into a fresh user dir and the example tracker flow deployed.
 */
export interface RunningNodeRed {
  url: string;
  /** The launcher's pid (scripts/start.js, or Node-RED itself for a bare start). */
  pid: number;
  userDir: string;
  output(): string;
  stop(): Promise<void>;
}

/** The example's STATUS_API_TOKEN in every Node-RED these tests start (a test may set another, or none). */
export const API_TOKEN = 'test-api-token';

/** settings.js in `userDir`: the package's own (scripts/node-red-settings.js) with `extra` (a JS object literal) over it. */
export function writeSettings(userDir: string, extra: string, preamble = ''): void {
  mkdirSync(userDir, { recursive: true });
  writeFileSync(
    join(userDir, 'settings.js'),
    `${preamble}\nmodule.exports = { ...require(${JSON.stringify(join(ROOT, 'scripts', 'node-red-settings.js'))}), ...${extra} };\n`,
  );
}

/**
 * The clock of a Node-RED started from `userDir` (settings.js `mediaStatusClock`): the system's time
 * plus an offset the test moves, kept in a file there, so a rule on time (a keep time, a grace period)
 * is passed without waiting for it. Made before the Node-RED starts (it writes its settings.js).
 */
export class NodeRedClock {
  private offset = 0;
  private readonly file: string;

  constructor(userDir: string) {
    mkdirSync(userDir, { recursive: true });
    this.file = join(userDir, 'clock-offset');
    writeFileSync(this.file, '0');
    writeSettings(
      userDir,
      `{ mediaStatusClock: {
  now: () => Date.now() + Number(require('node:fs').readFileSync(${JSON.stringify(this.file)}, 'utf8')),
  after: (ms, fn) => { const timer = setTimeout(fn, ms); return () => clearTimeout(timer); },
} }`,
    );
  }

  advance(ms: number): void {
    this.offset += ms;
    writeFileSync(this.file, String(this.offset));
  }
}

/** A POST with a JSON body (a string or Buffer as is), and its answer: JSON when it is, else the text. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed };
}

/**
 * A call to one of the example's acting routes (actions, sync, verify) as a script with the API token
 * does it: POST, JSON, `Authorization: Bearer`. `headers` may replace any of that.
 */
export function postApi(base: string, path: string, body: unknown = {}, headers: Record<string, string> = {}) {
  return postJson(`${base}${path}`, body, { authorization: `Bearer ${API_TOKEN}`, ...headers });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * `withPackage: false` starts a bare Node-RED (same settings, without this package) as a baseline;
 * it is ready when its editor answers.
 */
export interface StartOptions {
  timeoutMs?: number;
  /** false: a bare Node-RED, the baseline. */
  withPackage?: boolean;
  /** What answers 200 once it runs (default: the read API, which needs a working store). */
  readyPath?: string;
  /** Headers that path needs (the login, behind httpNodeAuth). */
  readyHeaders?: Record<string, string>;
}

export async function startNodeRed(userDir: string, env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningNodeRed> {
  const { timeoutMs = 30000, withPackage = true } = options;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  if (!withPackage) {
    mkdirSync(userDir, { recursive: true });
    copyFileSync(join(ROOT, 'scripts', 'node-red-settings.js'), join(userDir, 'settings.js'));
  }
  const args = withPackage ? [join(ROOT, 'scripts', 'start.js')] : [require.resolve('node-red/red.js'), '--userDir', userDir];
  const ready = `${url}${options.readyPath ?? (withPackage ? '/media-status/api/requests?limit=1' : '/')}`;
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, PORT: String(port), NODE_RED_USER_DIR: userDir, LOG_LEVEL: 'warn', STATUS_API_TOKEN: API_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit');

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited early:\n${output}`);
    try {
      // The read API answers once the flows (and the store) are running.
      const res = await fetch(ready, { headers: options.readyHeaders });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Node-RED did not start within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    pid: child.pid!,
    userDir,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function postHook(base: string, source: string, body: unknown, headers: Record<string, string> = {}) {
  return postJson(`${base}/hooks/${source}`, body, headers);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function getJson(base: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() };
}
