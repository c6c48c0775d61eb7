import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StatusStore } from '../../lib/store/store';
import { FakeQbittorrent } from '../fakes/qbittorrent';
import { INTERSTELLAR, movieBodies } from '../support/bodies';
import { API_TOKEN, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { makeReadOnly } from '../support/read-only';
import { tempDir } from '../support/tmp';
import { eventually } from '../support/eventually';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The example flow when things go wrong: a store that cannot work, a deploy in the middle of
 * traffic. Every route answers, and an answer always says truly whether the event was stored.
 */

const dir = tempDir('mst-fail-');
let started = 0;

/** A request that must be answered within 5 s (a hang fails it). */
async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the assertions say so
  }
  return { status: res.status, body };
}

const postJson = (url: string, body: unknown) => call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the example flow when things go wrong', () => {
  let qbit: FakeQbittorrent;
  before(async () => {
    qbit = new FakeQbittorrent({ username: 'u', password: 'p' });
    await qbit.start();
  });
  after(() => qbit.stop());

  async function startWith(database: string, env: Record<string, string> = {}): Promise<RunningNodeRed> {
    // Ready once the flow runs: the status page answers whatever the store.
    return startNodeRed(join(dir, `node-red-${++started}`), { STATUS_DB: database, ...env }, { readyPath: '/media-status' });
  }

  /** Every route of the example flow answers a 5xx with { ok: false, error }, promptly. */
  async function everyRouteFails(red: RunningNodeRed, because: RegExp): Promise<void> {
    const m = movieBodies(INTERSTELLAR);
    const answers = {
      webhook: await postJson(`${red.url}/hooks/radarr`, m.grab),
      list: await call(`${red.url}/media-status/api/requests`),
      one: await call(`${red.url}/media-status/api/requests/1`),
      verify: await call(`${red.url}/media-status/api/requests/1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
        body: '{}',
      }),
      page: await call(`${red.url}/media-status/data/requests`),
    };
    for (const [route, answer] of Object.entries(answers)) {
      assert.ok(answer.status >= 500 && answer.status < 600, `${route}: ${answer.status}`);
      assert.equal(answer.body.ok, false, route);
      assert.match(answer.body.error, because, route);
    }
  }

  it('STATUS_DB a directory: every route answers 500 with the reason; one log line, not one per retry', async () => {
    const database = join(dir, 'a-directory');
    mkdirSync(database);
    const red = await startWith(database, { QBIT_URL: qbit.url, QBIT_USERNAME: 'u', QBIT_PASSWORD: 'p' });
    try {
      await everyRouteFails(red, /SQLITE_CANTOPEN/);
      // Retries at 1 s, 2 s: still one line.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      assert.equal(red.output().split('cannot open the status database').length - 1, 1, red.output());
    } finally {
      await red.stop();
    }
  });

  it('a corrupt file, and a new file in a read-only directory: every route answers 500', async () => {
    const corrupt = join(dir, 'corrupt.db');
    writeFileSync(corrupt, 'not a database at all'.repeat(500));
    let red = await startWith(corrupt);
    try {
      await everyRouteFails(red, /SQLITE_NOTADB/);
    } finally {
      await red.stop();
    }
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    const undo = makeReadOnly(locked);
    try {
      red = await startWith(join(locked, 'media-status.db'));
      await everyRouteFails(red, /SQLITE_CANTOPEN|EACCES|EPERM|read-only/);
    } finally {
      await red.stop();
      undo();
    }
  });

  it('a read-only database file: refused at open ("read-only: <path>"); fixing it brings the store back without a redeploy', async () => {
    const database = join(dir, 'read-only.db');
    await (await StatusStore.open(database)).close();
    const undo = makeReadOnly(database);
    let red: RunningNodeRed | undefined;
    try {
      red = await startWith(database);
      await everyRouteFails(red, new RegExp(`read-only: ${database}`));
    } finally {
      undo();
    }
    try {
      const m = movieBodies(INTERSTELLAR);
      // The store comes back on its next try: the webhook is taken once it has.
      const answer = await eventually(
        'the webhook taken',
        async () => {
          const a = await postJson(`${red.url}/hooks/jellyseerr`, m.pending);
          return a.status === 200 && a;
        },
        { timeoutMs: 20_000, everyMs: 250 },
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal((await call(`${red.url}/media-status/api/requests`)).body.length, 1);
    } finally {
      await red.stop();
    }
  });

  it('a full deploy in the middle of 300 webhooks: each is answered, 200 only if it was stored, else 404 or 503', async () => {
    const red = await startWith(join(dir, 'deploy.db'));
    try {
      const flows = await (await fetch(`${red.url}/flows`)).json();
      const bodies = Array.from({ length: 300 }, (_, i) => movieBodies({ ...INTERSTELLAR, tmdb: 10000 + i, requestId: 10000 + i }).pending);
      const answers: { status: number; requestId: number }[] = [];
      let next = 0;
      const sender = async () => {
        while (next < bodies.length) {
          const i = next++;
          if (i === 100) {
            void fetch(`${red.url}/flows`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
              body: JSON.stringify(flows),
            });
          }
          const res = await fetch(`${red.url}/hooks/jellyseerr`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(bodies[i]),
            signal: AbortSignal.timeout(10000),
          });
          await res.arrayBuffer();
          answers.push({ status: res.status, requestId: 10000 + i });
        }
      };
      await Promise.all(Array.from({ length: 20 }, sender));
      assert.equal(answers.length, 300, 'every webhook was answered');
      const list = (await call(`${red.url}/media-status/api/requests?limit=1000`)).body as { ids: { jellyseerrRequest: number } }[];
      const stored = new Set(list.map((r) => r.ids.jellyseerrRequest));
      const byStatus = new Map<number, number>();
      for (const answer of answers) {
        byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
        if (answer.status === 200) assert.ok(stored.has(answer.requestId), `${answer.requestId}: 200 but not stored`);
        else {
          assert.ok([404, 503].includes(answer.status), `${answer.requestId}: ${answer.status}`);
          assert.equal(stored.has(answer.requestId), false, `${answer.requestId}: ${answer.status} but stored`);
        }
      }
      assert.ok((byStatus.get(200) ?? 0) > 150, JSON.stringify([...byStatus]));
    } finally {
      await red.stop();
    }
  });
});
