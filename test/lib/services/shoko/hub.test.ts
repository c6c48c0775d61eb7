import assert from 'node:assert/strict';
import { ShokoHub, type HubLogger, type HubState, type HubStatus } from '../../../../lib/services/shoko/hub';
import { FakeShokoServer } from '../../../fakes/shoko-server';
import { freePort } from '../../../support/node-red';
import { FakeClock } from '../../../support/clock';
import { eventually } from '../../../support/eventually';

/** The real @microsoft/signalr client against a hub that speaks SignalR's JSON protocol. */

const RETRY = { initialMs: 20, maxMs: 200, authMs: 400 };
const hubs: ShokoHub[] = [];
const servers: FakeShokoServer[] = [];

function recordingLogger() {
  const lines: [string, string][] = [];
  const logger: HubLogger = {
    trace: (m) => lines.push(['trace', m]),
    debug: (m) => lines.push(['debug', m]),
    info: (m) => lines.push(['info', m]),
    warn: (m) => lines.push(['warn', m]),
    error: (m) => lines.push(['error', m]),
  };
  return { logger, lines };
}

async function server(options: ConstructorParameters<typeof FakeShokoServer>[0] = {}) {
  const fake = new FakeShokoServer({ apiKey: 'key-1', pingMs: 100, ...options });
  await fake.start();
  servers.push(fake);
  return fake;
}

function hub(url: string, apiKey = 'key-1', logger?: HubLogger, clock?: FakeClock) {
  const h = new ShokoHub({ url, apiKey, retry: RETRY, logger, serverTimeoutMs: 1500, clock });
  const states: HubState[] = [];
  h.on('state', (s) => states.push(s));
  hubs.push(h);
  return { hub: h, states };
}

function until(h: ShokoHub, status: HubStatus, timeoutMs = 5000): Promise<HubState> {
  if (h.state.status === status) return Promise.resolve(h.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${status}" within ${timeoutMs} ms (now ${JSON.stringify(h.state)})`)), timeoutMs);
    const listener = (s: HubState) => {
      if (s.status !== status) return;
      clearTimeout(timer);
      h.off('state', listener);
      resolve(s);
    };
    h.on('state', listener);
  });
}

function nextInvocation(h: ShokoHub, target: string): Promise<unknown> {
  return new Promise((resolve) => {
    const listener = (t: string, argument: unknown) => {
      if (t !== target) return;
      h.off('invocation', listener);
      resolve(argument);
    };
    h.on('invocation', listener);
  });
}

describe('Shoko hub client', () => {
  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((h) => h.stop()));
  });
  after(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  describe('Shoko hub connection', () => {
    it('connects to /signalr/aggregate?feeds=shoko with the apikey header and passes invocations on', async () => {
      const fake = await server();
      const { hub: h, states } = hub(fake.url);
      const greeting = nextInvocation(h, 'ShokoEvent:OnConnected');
      h.start();
      await until(h, 'connected');
      assert.equal(await greeting, null);
      assert.deepEqual(
        states.map((s) => s.status),
        ['connecting', 'connected'],
      );
      assert.deepEqual(
        fake.negotiations.map((n) => [n.apiKey, n.feeds]),
        [['key-1', 'shoko']],
      );
      const matched = nextInvocation(h, 'ShokoEvent:FileMatched');
      fake.send('ShokoEvent:FileMatched', { FileID: 1 });
      assert.deepEqual(await matched, { FileID: 1 });
    });

    it('a failed first start is retried until the server is there', async () => {
      const port = await freePort();
      const { hub: h } = hub(`http://127.0.0.1:${port}`);
      h.start();
      const down = await until(h, 'disconnected');
      assert.ok(down.retryInMs && down.retryInMs <= RETRY.maxMs);
      assert.match(down.reason ?? '', /fetch failed|ECONNREFUSED/);
      const fake = new FakeShokoServer({ apiKey: 'key-1', pingMs: 100 });
      servers.push(fake);
      await fake.start(port);
      await until(h, 'connected');
    });

    it('the server killed and restarted: reconnecting, with the attempt, then connected again; events flow after', async () => {
      const fake = await server();
      const { hub: h, states } = hub(fake.url);
      h.start();
      await until(h, 'connected');
      await fake.kill();
      await until(h, 'reconnecting');
      // SignalR's own reconnect timers: it tries again (and again) while the server is down.
      await eventually('a second reconnect attempt', () => states.some((s) => s.status === 'reconnecting' && s.attempt >= 2), { everyMs: 10 });
      await fake.restart();
      await until(h, 'connected');
      const after = nextInvocation(h, 'ShokoEvent:FileHashed');
      fake.send('ShokoEvent:FileHashed', { FileID: 2 });
      assert.deepEqual(await after, { FileID: 2 });
    });

    it('a server close without allowReconnect does not leave it closed', async () => {
      const fake = await server();
      const { hub: h, states } = hub(fake.url);
      h.start();
      await until(h, 'connected');
      fake.close('Server is shutting down', false);
      const closed = await until(h, 'disconnected');
      assert.match(closed.reason ?? '', /Server is shutting down/);
      await until(h, 'connected');
      assert.equal(fake.handshakes, 2);
      assert.deepEqual(states.map((s) => s.status).slice(-3), ['disconnected', 'connecting', 'connected']);
    });

    it("a server close with allowReconnect reconnects through the client's own policy", async () => {
      const fake = await server();
      const { hub: h } = hub(fake.url);
      h.start();
      await until(h, 'connected');
      fake.close('restarting', true);
      await until(h, 'reconnecting');
      await until(h, 'connected');
    });

    it('a 401 is "auth failed" and waits authMs between tries: no hot loop; a fixed key then connects', async () => {
      const fake = await server({ auth: 'key' });
      const clock = new FakeClock();
      const { hub: h } = hub(fake.url, 'wrong-key', undefined, clock);
      h.start();
      const failed = await until(h, 'auth-failed');
      assert.equal(failed.reason, 'Shoko refused the API key (401)');
      assert.equal(failed.retryInMs, RETRY.authMs);
      // Only the clock brings the next try, at authMs: no hot loop.
      clock.advance(RETRY.authMs - 1);
      assert.equal(fake.negotiations.length, 1, 'not before authMs');
      clock.advance(1);
      await until(h, 'connecting');
      await until(h, 'auth-failed');
      assert.equal(fake.negotiations.length, 2, 'it does keep trying');
      fake.auth = 'open';
      clock.advance(RETRY.authMs);
      await until(h, 'connected', 2000);
      assert.equal(fake.negotiations.length, 3);
    });

    it('SignalR logs to the given logger at its levels and never to the console', async () => {
      const fake = await server();
      const { logger, lines } = recordingLogger();
      const written: unknown[] = [];
      const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info, debug: console.debug };
      Object.assign(console, {
        log: (...a: unknown[]) => written.push(a),
        warn: (...a: unknown[]) => written.push(a),
        error: (...a: unknown[]) => written.push(a),
        info: (...a: unknown[]) => written.push(a),
        debug: (...a: unknown[]) => written.push(a),
      });
      try {
        const { hub: h } = hub(fake.url, 'key-1', logger);
        h.start();
        await until(h, 'connected');
        await fake.kill();
        await until(h, 'reconnecting');
        await fake.restart();
        await until(h, 'connected');
      } finally {
        Object.assign(console, saved);
      }
      assert.deepEqual(written, []);
      assert.ok(
        lines.some(([level]) => level === 'info'),
        'connection news at info',
      );
      assert.ok(
        lines.some(([level]) => level === 'debug' || level === 'trace'),
        'detail at debug/trace',
      );
      assert.equal(
        lines.some(([, m]) => m.includes('key-1')),
        false,
        'the API key is never logged',
      );
    });

    it('stop() ends every retry', async () => {
      const port = await freePort();
      const clock = new FakeClock();
      const { hub: h, states } = hub(`http://127.0.0.1:${port}`, 'key-1', undefined, clock);
      h.start();
      await until(h, 'disconnected');
      assert.equal(clock.pending, 1, 'a retry waits');
      await h.stop();
      assert.equal(clock.pending, 0, 'stop cancelled it');
      const count = states.length;
      clock.advance(RETRY.maxMs * 10);
      assert.equal(states.length, count, 'no state change after stop');
      assert.equal(h.state.status, 'stopped');
    });
  });
});
