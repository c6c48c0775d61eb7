import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A service faked at the wire: an HTTP server on a free local port that answers every call with `handle`. */
export abstract class FakeServer {
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): unknown;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Stops at once: open connections (keep-alive, a held answer) are cut. */
  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** The example flow's environment pointed at these fakes (see their exampleEnv). */
export function exampleEnvOf(...fakes: { exampleEnv(): Record<string, string> }[]): Record<string, string> {
  return Object.assign({}, ...fakes.map((fake) => fake.exampleEnv())) as Record<string, string>;
}
