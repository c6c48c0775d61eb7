import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { ROOT } from '../test/support/fixtures';
import type { RunningNodeRed } from '../test/support/node-red';

/** What the benches share: HTTP calls, a clock, a process's memory, the example flow with a bare route beside it. */

export function post(agent: Agent, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function get(agent: Agent, url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    })
      .on('error', reject)
      .end();
  });
}

/** Webhooks in flight in the throughput rounds. */
export const CONCURRENCY = 16;

/** Send every job (an ordered chain of posts) with CONCURRENCY chains in flight. */
export async function throughput(chains: [string, string][][]): Promise<{ requests: number; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const requests = chains.reduce((n, chain) => n + chain.length, 0);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < chains.length) {
        const chain = chains[next++] ?? [];
        for (const [url, body] of chain) {
          const status = await post(agent, url, body);
          if (status !== 200) throw new Error(`${url} answered ${status}`);
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { requests, seconds };
}

export async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** The Node-RED process: the launcher itself for a bare start, else the child of scripts/start.js. */
export function nodeRedPid(red: RunningNodeRed, launcher: boolean): number {
  if (!launcher) return red.pid;
  return Number(readFileSync(`/proc/${red.pid}/task/${red.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
}

export function withBareTab(flowFile: string): void {
  const flow = JSON.parse(readFileSync(join(ROOT, 'examples', 'media-status-tracker.json'), 'utf8'));
  flow.push(
    { id: 'bench0000000001', type: 'tab', label: 'bare' },
    // Bare as the issue says: http in straight into http response (it answers with the parsed body).
    {
      id: 'bench0000000002',
      z: 'bench0000000001',
      type: 'http in',
      url: '/bare',
      method: 'post',
      upload: false,
      swaggerDoc: '',
      x: 100,
      y: 100,
      wires: [['bench0000000004']],
    },
    { id: 'bench0000000004', z: 'bench0000000001', type: 'http response', statusCode: '', headers: {}, x: 300, y: 100, wires: [] },
  );
  writeFileSync(flowFile, JSON.stringify(flow));
}
