import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeServer } from './fake-server';

/**
 * The notifiers the example flows post to, at the wire (notifiers.md), each under its own path of
 * one server: ntfy's JSON publish at `/ntfy/` (200 with the stored message), Gotify's `/gotify/message`
 * (X-Gotify-Key), Telegram's `/telegram/bot<token>/sendPhoto|sendMessage` (`{ok, result}`), a Discord
 * webhook `/discord/webhooks/<id>/<token>` (204), Home Assistant's `/ha/api/services/notify/<service>`
 * (Bearer token; `[]`). Every delivery is recorded; answers can be scripted (a 429 with Retry-After, a 400).
 */

export interface Delivery {
  service: 'ntfy' | 'gotify' | 'telegram' | 'discord' | 'home-assistant';
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  at: number;
}

export class FakeNotifiers extends FakeServer {
  readonly deliveries: Delivery[] = [];
  /** Scripted answers, taken one per delivery to a service, before the normal one. */
  readonly script = new Map<Delivery['service'], { status: number; headers?: Record<string, string>; body?: unknown }[]>();
  private waiters: (() => void)[] = [];

  constructor(readonly secrets = { gotify: 'gotify-app-token', telegram: '123456:ABC-bot', ha: 'ha-long-lived-token' }) {
    super();
  }

  of(service: Delivery['service']): Delivery[] {
    return this.deliveries.filter((d) => d.service === service);
  }

  /** Resolves once `check` holds (checked on every delivery), or fails after `ms`. */
  async until(check: () => boolean, ms = 10_000, what = 'deliveries'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms: ${JSON.stringify(this.deliveries.map((d) => [d.service, d.path]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private service(path: string): Delivery['service'] | undefined {
    if (path === '/ntfy/') return 'ntfy';
    if (path === '/gotify/message') return 'gotify';
    if (/^\/telegram\/bot[^/]+\/(sendPhoto|sendMessage)$/.test(path)) return 'telegram';
    if (/^\/discord\/webhooks\/\d+\/[^/]+$/.test(path)) return 'discord';
    if (/^\/ha\/api\/services\/notify\/[a-z0-9_]+$/.test(path)) return 'home-assistant';
    return undefined;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const service = this.service(path);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (!service || req.method !== 'POST') return json(404, { message: 'not found' });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return json(400, { error: 'not JSON' });
    }
    this.deliveries.push({ service, method: req.method, path, headers: req.headers, body, at: Date.now() });
    this.waiters.splice(0).forEach((wake) => wake());
    const scripted = this.script.get(service)?.shift();
    if (scripted) return json(scripted.status, scripted.body, scripted.headers);
    switch (service) {
      case 'ntfy':
        return json(200, { id: 'sPs71M8A2T', time: 1760000000, event: 'message', ...(body as object) });
      case 'gotify':
        if (req.headers['x-gotify-key'] !== this.secrets.gotify)
          return json(401, {
            error: 'Unauthorized',
            errorCode: 401,
            errorDescription: 'you need to provide a valid access token or user credentials to access this api',
          });
        return json(200, { id: 25, appid: 5, ...(body as object), date: new Date().toISOString() });
      case 'telegram':
        if (!path.startsWith(`/telegram/bot${this.secrets.telegram}/`)) return json(401, { ok: false, error_code: 401, description: 'Unauthorized' });
        return json(200, { ok: true, result: { message_id: this.deliveries.length, chat: { id: (body as { chat_id: unknown }).chat_id } } });
      case 'discord':
        return void res.writeHead(204).end();
      case 'home-assistant':
        if (req.headers.authorization !== `Bearer ${this.secrets.ha}`) return json(401, { message: '401: Unauthorized' });
        return json(200, []);
    }
  }
}
