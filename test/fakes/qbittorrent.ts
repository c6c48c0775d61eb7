import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeServer } from './fake-server';
import { clone, fixture } from '../support/fixtures';

/**
 * qBittorrent's WebUI API v2 at the wire (payloads.md section 5): form login answering "Ok." with an
 * SID cookie or 200 "Fails.", 403 without a live session, torrents/info filtered by `hashes`
 * (case-insensitive, unknown ones absent) with 5.1.4's full objects, torrents/files, torrents/delete.
 */

export interface FakeTorrent {
  hash: string;
  name?: string;
  progress: number;
  state: string;
  dlspeed?: number;
  eta?: number;
  files?: { name: string; progress: number }[];
  /** A private tracker's torrent; undefined: qBittorrent does not know yet (no metadata). */
  private?: boolean;
  /** Seeds connected and last activity (Unix seconds); default: the template's. */
  num_seeds?: number;
  last_activity?: number;
}

export class FakeQbittorrent extends FakeServer {
  readonly logins: { username: string; ok: boolean }[] = [];
  readonly infoCalls: string[][] = [];
  readonly fileCalls: string[] = [];
  readonly propertyCalls: string[] = [];
  /** torrents/delete calls: the hashes and whether the files went too. */
  readonly deleted: { hashes: string[]; deleteFiles: boolean }[] = [];
  readonly torrents = new Map<string, FakeTorrent>();
  private readonly sessions = new Set<string>();
  /** The template every torrent is dressed in: a real 5.1.4 object with all its keys. */
  private readonly template = clone(fixture('qbittorrent/torrents-info')[0]);

  constructor(private readonly credentials = { username: 'admin', password: 'adminadmin' }) {
    super();
  }
  /** The example flow's environment variables that point it here, with the secret this fake accepts. */
  exampleEnv(): Record<string, string> {
    return { QBIT_URL: this.url, QBIT_USERNAME: this.credentials.username, QBIT_PASSWORD: this.credentials.password };
  }

  set(torrent: FakeTorrent): void {
    this.torrents.set(torrent.hash.toLowerCase(), { ...torrent, hash: torrent.hash.toLowerCase() });
  }

  /** Every session ends, as after qBittorrent's SessionTimeout. */
  expireSessions(): void {
    this.sessions.clear();
  }

  private async body(req: IncomingMessage): Promise<string> {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text;
  }

  private authed(req: IncomingMessage): boolean {
    const sid = /(?:^|;\s*)SID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return !!sid && this.sessions.has(sid);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/v2/auth/login') {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const form = new URLSearchParams(await this.body(req));
      const ok = form.get('username') === this.credentials.username && form.get('password') === this.credentials.password;
      this.logins.push({ username: form.get('username') ?? '', ok });
      if (!ok) return void res.writeHead(200, { 'content-type': 'text/plain' }).end('Fails.');
      const sid = randomBytes(12).toString('base64url');
      this.sessions.add(sid);
      return void res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': `SID=${sid}; HttpOnly; path=/; SameSite=Strict` }).end('Ok.');
    }
    if (!this.authed(req)) return void res.writeHead(403).end('Forbidden');
    // Reads answer GET with a query and POST with a form body alike.
    const params = req.method === 'POST' ? new URLSearchParams(await this.body(req)) : url.searchParams;
    if (url.pathname === '/api/v2/torrents/info') {
      const wanted = (params.get('hashes') ?? '')
        .split('|')
        .filter(Boolean)
        .map((h) => h.toLowerCase());
      this.infoCalls.push(wanted);
      const list = wanted.length ? wanted.map((h) => this.torrents.get(h)).filter((t): t is FakeTorrent => !!t) : [...this.torrents.values()];
      const body = list.map((t) => ({
        ...this.template,
        hash: t.hash,
        infohash_v1: t.hash,
        name: t.name ?? t.hash,
        progress: t.progress,
        state: t.state,
        dlspeed: t.dlspeed ?? 0,
        eta: t.eta ?? 8640000,
        private: t.private ?? null,
        ...(t.num_seeds === undefined ? {} : { num_seeds: t.num_seeds }),
        ...(t.last_activity === undefined ? {} : { last_activity: t.last_activity }),
      }));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
    if (url.pathname === '/api/v2/torrents/delete') {
      // POST only; both fields required; unknown hashes skipped; 200 with an empty body (service-apis.md 6).
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const hashes = params.get('hashes');
      const deleteFiles = params.get('deleteFiles');
      if (hashes === null || deleteFiles === null) return void res.writeHead(400).end('Bad Request');
      const list = hashes.split('|').map((h) => h.toLowerCase());
      this.deleted.push({ hashes: list, deleteFiles: deleteFiles.toLowerCase() === 'true' });
      for (const h of list) this.torrents.delete(h);
      return void res.writeHead(200).end();
    }
    if (url.pathname === '/api/v2/torrents/properties') {
      // 5.1: `private` (null without metadata) beside the deprecated `is_private`; 404 for an unknown hash.
      const hash = (params.get('hash') ?? '').toLowerCase();
      this.propertyCalls.push(hash);
      const torrent = this.torrents.get(hash);
      if (!torrent) return void res.writeHead(404).end('Not Found');
      const known = torrent.private ?? null;
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ save_path: '/downloads', total_size: 1_000_000_000, seeding_time: 0, share_ratio: 0, private: known, is_private: known ?? false }),
        );
    }
    if (url.pathname === '/api/v2/torrents/files') {
      const hash = (params.get('hash') ?? '').toLowerCase();
      this.fileCalls.push(hash);
      const torrent = this.torrents.get(hash);
      if (!torrent) return void res.writeHead(404).end('Not Found');
      const files = (torrent.files ?? []).map((f, index) => ({
        index,
        name: f.name,
        size: 1_000_000_000,
        progress: f.progress,
        priority: 1,
        is_seed: f.progress === 1,
        piece_range: [0, 100],
        availability: 1,
      }));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(files));
    }
    res.writeHead(404).end();
  }
}
