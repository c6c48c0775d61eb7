import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * A stand-in for Shoko Server at the wire: ASP.NET Core SignalR's JSON hub protocol at
 * /signalr/aggregate (negotiate, WebSocket transport, handshake, invocations, pings and close
 * messages, every record ending in 0x1E), the `apikey` header check, and GET /api/v3/ImportFolder.
 * It can be killed (sockets destroyed, port closed) and restarted on the same port.
 */

const RS = '\u001e';
const HUB = '/signalr/aggregate';

export type AuthMode = 'open' | 'key' | 'deny';

export interface FakeShokoOptions {
  apiKey?: string;
  auth?: AuthMode;
  /** Ping interval; the client's server timeout is 30 s by default, tests shorten both. */
  pingMs?: number;
  importFolders?: { ID: number; Name: string; Path: string }[];
}

export class FakeShokoServer {
  readonly negotiations: { at: number; apiKey?: string; feeds: string | null }[] = [];
  handshakes = 0;
  auth: AuthMode;
  private server: Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<WebSocket>();
  private readonly sockets = new Set<Duplex>();
  private pinger: NodeJS.Timeout | undefined;
  private waiting: (() => void)[] = [];
  port = 0;

  constructor(private readonly options: FakeShokoOptions = {}) {
    this.auth = options.auth ?? 'key';
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get connected(): number {
    return this.clients.size;
  }

  async start(port = this.port): Promise<void> {
    const server = createServer((req, res) => this.http(req, res));
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    this.pinger = setInterval(() => this.sendAll({ type: 6 }), this.options.pingMs ?? 5000);
  }

  /** Like a crash: every socket dropped without a close message, the port closed. */
  async kill(): Promise<void> {
    clearInterval(this.pinger);
    for (const client of this.clients) client.terminate();
    this.clients.clear();
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restart(): Promise<void> {
    await this.start(this.port);
  }

  async stop(): Promise<void> {
    await this.kill();
    this.wss.close();
  }

  /** An invocation of the hub method `target` with one argument, to every connected client. */
  send(target: string, argument: unknown): void {
    this.sendAll({ type: 1, target, arguments: [argument] });
  }

  /** A raw text frame (to test what a client makes of garbage). */
  sendRaw(text: string): void {
    for (const client of this.clients) client.send(text);
  }

  /** The server's close message; without allowReconnect the client library stays closed on its own. */
  close(error: string, allowReconnect: boolean): void {
    const clients = [...this.clients];
    this.sendAll(allowReconnect ? { type: 7, error, allowReconnect: true } : { type: 7, error });
    for (const client of clients) client.close();
    this.clients.clear();
  }

  /** Resolves when a client has completed the handshake (now, if one has). */
  waitForClient(): Promise<void> {
    if (this.clients.size) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private sendAll(message: unknown): void {
    for (const client of this.clients) if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(message) + RS);
  }

  private authorised(req: IncomingMessage): boolean {
    if (this.auth === 'deny') return false;
    if (this.auth === 'open') return true;
    return req.headers.apikey === this.options.apiKey;
  }

  private http(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === `${HUB}/negotiate`) {
      this.negotiations.push({ at: Date.now(), apiKey: req.headers.apikey as string | undefined, feeds: url.searchParams.get('feeds') });
      if (!this.authorised(req)) {
        res.writeHead(401).end();
        return;
      }
      const token = `token-${this.negotiations.length}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          negotiateVersion: 1,
          connectionId: `connection-${this.negotiations.length}`,
          connectionToken: token,
          availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
        }),
      );
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/v3/ImportFolder') {
      if (!this.authorised(req)) {
        res.writeHead(401).end();
        return;
      }
      const folders = (this.options.importFolders ?? []).map((f) => ({ ...f, WatchForNewFiles: true, DropFolderType: 'Destination', Size: 0, FileSize: 0 }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(folders));
      return;
    }
    res.writeHead(404).end();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== HUB || !this.authorised(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      let shaken = false;
      ws.on('message', (data) => {
        for (const record of data.toString().split(RS).filter(Boolean)) {
          const message = JSON.parse(record) as { type?: number; protocol?: string };
          if (!shaken) {
            shaken = true;
            if (message.protocol !== 'json') {
              ws.send(JSON.stringify({ error: 'only the json protocol is supported' }) + RS);
              ws.close();
              return;
            }
            ws.send('{}' + RS);
            this.handshakes++;
            this.clients.add(ws);
            // Shoko greets every feed; the shoko feed's initial message is null.
            ws.send(JSON.stringify({ type: 1, target: 'ShokoEvent:OnConnected', arguments: [null] }) + RS);
            this.waiting.splice(0).forEach((resolve) => resolve());
          } else if (message.type === 7) {
            ws.close();
          }
        }
      });
      ws.on('close', () => this.clients.delete(ws));
    });
  }
}
