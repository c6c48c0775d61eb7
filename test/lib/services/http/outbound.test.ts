import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { JellyfinClient } from '../../../../lib/services/jellyfin/client';
import { QbitClient } from '../../../../lib/services/qbittorrent/client';
import { fetchImportFolders } from '../../../../lib/services/shoko/client';
import { ShokoHub, type HubState } from '../../../../lib/services/shoko/hub';
import { ROOT } from '../../../support/fixtures';
import { ServiceError } from '../../../../lib/services/http/errors';
import { eventually } from '../../../support/eventually';

/**
 * Calls that carry secrets, against servers that misbehave: a redirect to another origin, a server
 * that never answers, an answer that stops halfway, a self-signed certificate.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: { close(): void; closeAllConnections?(): void }[] = [];
async function serve(handler: Handler): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server: Server = createHttpServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A hub that gives up on a silent server fast and tries again fast, so a test sees its retries. */
function quickHub(server: { address(): unknown }): ShokoHub {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return new ShokoHub({ url, connectTimeoutMs: 300, retry: { initialMs: 50, maxMs: 50 } });
}

const CERT = readFileSync(join(ROOT, 'fixtures', 'tls', 'self-signed.pem'), 'utf8');
const KEY = readFileSync(join(ROOT, 'fixtures', 'tls', 'self-signed.key'), 'utf8');
const FINGERPRINT = 'BA:93:5C:F5:37:4E:3E:C6:F7:B7:7D:FE:93:47:53:AF:4D:F8:AC:BC:DF:D4:07:0D:81:38:D2:3A:14:52:9C:3F';
const ITEMS = JSON.stringify({ Items: [], TotalRecordCount: 0 });

describe('outbound calls', () => {
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections?.();
      server.close();
    }
  });

  it("a redirect is never followed: qBittorrent's password and Shoko's API key stay home; the error says where it pointed", async () => {
    const elsewhere = await serve((_req, res) => res.end('Ok.'));
    const redirecting = await serve((req, res) => res.writeHead(307, { location: `${elsewhere.url}${req.url}` }).end());
    const qbit = new QbitClient({ url: redirecting.url, username: 'admin', password: 'hunter2' });
    await assert.rejects(qbit.torrents(['ab']), (err: Error) => {
      assert.ok(err instanceof ServiceError);
      assert.deepEqual([err.service, err.kind, err.where], ['qBittorrent', 'redirected', redirecting.url]);
      assert.equal(err.message, `qBittorrent redirected to ${elsewhere.url}/api/v2/auth/login: check the URL`);
      return true;
    });
    await assert.rejects(
      fetchImportFolders(redirecting.url, 'shoko-key'),
      new RegExp(`^Error: Shoko redirected to ${elsewhere.url}/api/v3/ImportFolder: check the URL`),
    );
    const jellyfin = new JellyfinClient({ url: redirecting.url, apiKey: 'jf-key' });
    await assert.rejects(jellyfin.items({}), /^Error: Jellyfin redirected to/);
    assert.equal(elsewhere.requests.length, 0, 'the other origin was never called');
  });

  it('an answer that stops halfway times out, and the error names the service', async () => {
    const stalling = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"Items": [');
    });
    const qbit = new QbitClient({ url: stalling.url, username: 'u', password: 'p', timeoutMs: 300 });
    await assert.rejects(
      qbit.torrents(['ab']),
      (err: Error) =>
        err instanceof ServiceError && err.kind === 'timeout' && /^qBittorrent timed out after 0\.3 s \(\/api\/v2\/auth\/login\)$/.test(err.message),
    );
    const jellyfin = new JellyfinClient({ url: stalling.url, apiKey: 'k', timeoutMs: 300 });
    await assert.rejects(
      jellyfin.items({}),
      (err: Error) => err instanceof ServiceError && err.kind === 'timeout' && /^Jellyfin timed out after 0\.3 s/.test(err.message),
    );
  });

  it('a self-signed certificate: refused by default, accepted by its fingerprint or as its own CA, a wrong fingerprint refused', async () => {
    const server = createHttpsServer({ cert: CERT, key: KEY }, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(ITEMS));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await assert.rejects(
      new JellyfinClient({ url, apiKey: 'k' }).items({}),
      /^Error: Jellyfin presents a certificate that is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
    );
    assert.deepEqual(await new JellyfinClient({ url, apiKey: 'k', tls: { fingerprint: FINGERPRINT } }).items({}), []);
    assert.deepEqual(await new JellyfinClient({ url, apiKey: 'k', tls: { fingerprint: FINGERPRINT.replace(/:/g, '').toLowerCase() } }).items({}), []);
    assert.deepEqual(await new JellyfinClient({ url, apiKey: 'k', tls: { ca: CERT } }).items({}), []);
    const wrong = `00${FINGERPRINT.slice(2)}`;
    await assert.rejects(
      new JellyfinClient({ url, apiKey: 'k', tls: { fingerprint: wrong } }).items({}),
      /^Error: Jellyfin presents a certificate with fingerprint BA935CF5.*, not the one configured$/,
    );
  });

  describe("Shoko's hub cannot hang in connecting", () => {
    const states = (hub: ShokoHub) => {
      const seen: HubState[] = [];
      hub.on('state', (s) => seen.push(s));
      return seen;
    };
    const until = (check: () => boolean) => eventually('the hub', check, { everyMs: 20 });

    it('a server that accepts the connection and never answers: each try gives up after the connect timeout and the next follows', async () => {
      const sockets: Socket[] = [];
      const silent = createTcpServer((socket) => void sockets.push(socket));
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      servers.push({ close: () => (sockets.forEach((s) => s.destroy()), silent.close()) });
      const hub = quickHub(silent);
      const seen = states(hub);
      hub.start();
      await until(() => sockets.length >= 3);
      assert.ok(
        seen.some((s) => s.status === 'disconnected' && /timed out/.test(s.reason ?? '')),
        JSON.stringify(seen),
      );
      await hub.stop();
    });

    it('a WebSocket upgrade that hangs is given up and tried again', async () => {
      const upgrades: Socket[] = [];
      const server = createHttpServer((req, res) => {
        if (req.url?.startsWith('/signalr/aggregate/negotiate')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              negotiateVersion: 1,
              connectionId: 'c',
              connectionToken: 't',
              availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
            }),
          );
        } else res.writeHead(404).end();
      });
      server.on('upgrade', (_req, socket: Socket) => void upgrades.push(socket));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      servers.push({ close: () => (upgrades.forEach((s) => s.destroy()), server.closeAllConnections(), server.close()) });
      const hub = quickHub(server);
      const seen = states(hub);
      hub.start();
      await until(() => upgrades.length >= 2);
      assert.ok(seen.filter((s) => s.status === 'connecting').length >= 2, JSON.stringify(seen));
      await hub.stop();
    });
  });
});
