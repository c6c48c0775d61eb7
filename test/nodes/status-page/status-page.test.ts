import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, get, type Server } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { parseWebhook, type WebhookSource } from '../../../lib/services/webhooks';
import { computeStats } from '../../../lib/tracker/stats';
import { track } from '../../../lib/tracker/track';
import { INTERSTELLAR, LYCORIS, movieBodies, showBodies } from '../../support/bodies';
import { type Body } from '../../support/fixtures';
import { helper, httpNode, loadFlow, placed, redeploy, storeOf, useSettings } from '../../support/helper';
import { tempDir } from '../../support/tmp';
import { eventually } from '../../support/eventually';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The status page's HTTP side in a real runtime: the page, its data, its live stream. */

const dir = tempDir();
let db = 0;

describe('status-page node', () => {
  beforeEach(() => useSettings({ userDir: dir, statusPageHeartbeat: 100 }));
  afterEach(() => helper.unload());
  after(() => helper.settings({}));

  function flow(title = 'Media status') {
    return placed([
      { id: 'tab', type: 'tab' },
      { id: 'store', type: 'status-store', path: join(dir, `page${++db}.db`) },
      { id: 'page', z: 'tab', type: 'status-page', store: 'store', path: '/media-status', title, wires: [] },
    ]);
  }

  async function send(source: WebhookSource, body: Body) {
    const store = await storeOf();
    const parsed = parseWebhook(body, source);
    assert.ok(parsed.ok);
    return track(store, parsed.event);
  }

  describe('status-page', () => {
    it('serves the page with a CSP nonce and escapes its title and base path', async () => {
      await loadFlow(flow('<img src=x onerror=alert(1)> & "quotes"'));
      const res = await request(httpNode())
        .get('/media-status')
        .expect(200)
        .expect('content-type', /text\/html/);
      const nonce = /script-src 'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))?.[1];
      assert.ok(nonce);
      assert.ok(res.text.includes(`<script nonce="${nonce}">`));
      assert.ok(res.text.includes('<title>&#60;img src=x onerror=alert(1)&#62; &#38; &#34;quotes&#34;</title>'));
      assert.equal(res.text.includes('<img src=x'), false);
      assert.ok(res.text.includes('<meta name="media-status-base" content="/media-status">'));
      await request(httpNode()).get('/media-status/').expect(200);
      await request(httpNode()).get('/media-status-other').expect(404);
    });

    it('data: newest first, filters, requester, pages of a size; a request with its timeline; 400 and 404', async () => {
      await loadFlow(flow());
      const m = movieBodies(INTERSTELLAR);
      await send('jellyseerr', m.pending);
      await send('radarr', m.grab);
      const other = movieBodies({ ...INTERSTELLAR, title: 'Second', tmdb: 2, requestId: 2, hash: 'AB'.repeat(20) });
      other.pending.request.requestedBy_username = 'kid';
      await send('jellyseerr', other.pending);
      const show = showBodies(LYCORIS);
      await send('jellyseerr', show.approved);
      await send('sonarr', show.grab());
      await send('sonarr', show.importComplete());
      for (const i of show.numbers) await send('jellyfin', show.jellyfinEpisode(i));

      const all = await request(httpNode()).get('/media-status/data/requests').expect(200);
      assert.deepEqual(
        all.body.map((r: any) => r.title),
        ['Lycoris Recoil', 'Second', 'Interstellar'],
      );
      const active = await request(httpNode()).get('/media-status/data/requests?filter=active').expect(200);
      assert.deepEqual(
        active.body.map((r: any) => r.title),
        ['Second', 'Interstellar'],
      );
      const available = await request(httpNode()).get('/media-status/data/requests?filter=available').expect(200);
      assert.deepEqual(
        available.body.map((r: any) => r.title),
        ['Lycoris Recoil'],
      );
      const kid = await request(httpNode()).get('/media-status/data/requests?requester=kid').expect(200);
      assert.deepEqual(
        kid.body.map((r: any) => r.title),
        ['Second'],
      );
      const paged = await request(httpNode()).get('/media-status/data/requests?limit=1&offset=1').expect(200);
      assert.deepEqual(
        paged.body.map((r: any) => r.title),
        ['Second'],
      );
      await request(httpNode()).get('/media-status/data/requests?filter=bogus').expect(400);
      const one = await request(httpNode()).get(`/media-status/data/requests/${all.body[0].id}`).expect(200);
      assert.equal(one.body.timeline.length, 3 + 13);
      await request(httpNode()).get('/media-status/data/requests/999').expect(404);
      const requesters = await request(httpNode()).get('/media-status/data/requesters').expect(200);
      assert.deepEqual(requesters.body, ['adept', 'kid']);
      const stats = await request(httpNode()).get('/media-status/data/stats').expect(200);
      assert.equal(stats.body.requestsThisWeek, 3);
      assert.equal(stats.body.toAvailable.tv.count, 1);
      assert.equal(stats.body.toAvailable.movie, null);
    });

    it('numbers: median and 90th percentile per media type, attention counted on unfinished requests', () => {
      const now = new Date('2026-01-30T00:00:00Z');
      const row = (mediaType: 'movie' | 'tv', hours: number | null, created = '2026-01-28T00:00:00Z', attention = false, finished = hours !== null) => ({
        mediaType,
        createdAt: created,
        availableAt: hours === null ? null : new Date(Date.parse(created) + hours * 3600000).toISOString(),
        attention,
        finished,
      });
      const stats = computeStats(
        [
          row('movie', 1),
          row('movie', 2),
          row('movie', 3),
          row('movie', 10),
          row('tv', 5, '2026-01-01T00:00:00Z'),
          row('tv', null, '2026-01-29T00:00:00Z', true),
          row('movie', 4, '2026-01-29T00:00:00Z', true),
        ],
        now,
      );
      assert.equal(stats.requestsThisWeek, 6);
      assert.equal(stats.needAttention, 1);
      assert.deepEqual(stats.toAvailable.movie, { count: 5, medianMs: 3 * 3600000, p90Ms: 10 * 3600000 });
      assert.deepEqual(stats.toAvailable.tv, { count: 1, medianMs: 5 * 3600000, p90Ms: 5 * 3600000 });
    });

    it('live: a stream with heartbeats that carries each committed change; the route goes on redeploy', async () => {
      await loadFlow(flow());
      const server: Server = createServer(httpNode()).listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as { port: number };
      let received = '';
      const stream = get(`http://127.0.0.1:${port}/media-status/events`);
      const [res] = (await once(stream, 'response')) as [any];
      assert.match(res.headers['content-type'], /^text\/event-stream/);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (received += chunk));
      while (!received.includes(': heartbeat\n\n')) await once(res, 'data');
      assert.match(received, /: heartbeat\n\n/);
      await send('jellyseerr', movieBodies(INTERSTELLAR).pending);
      await eventually('the requests event', () => received.includes('event: requests'), { everyMs: 20 });
      const data = /event: requests\ndata: (.*)\n\n/.exec(received)?.[1];
      assert.ok(data, received);
      assert.deepEqual(
        JSON.parse(data).map((r: any) => [r.title, r.state]),
        [['Interstellar', 'REQUESTED']],
      );
      stream.destroy();
      await redeploy([{ id: 'tab', type: 'tab' }]);
      await request(httpNode()).get('/media-status').expect(404);
      server.close();
    });
  });

  describe('status-page: hardening', () => {
    const public_ = async () => {
      const m = movieBodies(INTERSTELLAR);
      await send('radarr', m.grab);
      await send('radarr', m.imported);
      const show = showBodies(LYCORIS);
      await send('sonarr', show.grab());
      await send('sonarr', show.importComplete());
    };

    it("the page's data shows what the page shows: no file paths, no download hashes", async () => {
      await loadFlow(flow());
      await public_();
      const list = await request(httpNode()).get('/media-status/data/requests').expect(200);
      const text = JSON.stringify(list.body);
      assert.equal(text.includes('/data/'), false, 'no file path');
      assert.equal(text.includes(INTERSTELLAR.hash), false, 'no download hash');
      assert.equal(text.includes(LYCORIS.hash), false);
      assert.ok(list.body.every((r: any) => !('finalPath' in r) && r.downloads.every((d: any) => !('id' in d) && 'progress' in d)));
      assert.ok(list.body.find((r: any) => r.mediaType === 'tv').episodes.every((e: any) => !('finalPath' in e) && !('downloadId' in e) && e.state));
      const one = await request(httpNode()).get(`/media-status/data/requests/${list.body[0].id}`).expect(200);
      assert.equal(JSON.stringify({ ...one.body, timeline: [] }).includes('/data/'), false);
      assert.ok(one.body.timeline.length > 0);
    });

    it('a malformed % escape is a 400; the CSP forbids framing by other sites', async () => {
      await loadFlow(flow());
      const bad = await request(httpNode()).get('/media-status/data/requests/%E0%A4%A').expect(400);
      assert.equal(bad.body.ok, false);
      const page = await request(httpNode()).get('/media-status').expect(200);
      assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'self'/);
      assert.match(String(page.headers['content-security-policy']), /img-src 'self' https: http: data:/, 'any poster the page shows, the CSP allows');
    });

    it("follows settings.js's httpNodeMiddleware: a middleware that refuses refuses the page, its data and its stream", async () => {
      useSettings({
        userDir: dir,
        statusPageHeartbeat: 100,
        httpNodeMiddleware: [
          (_req: any, _res: any, next: () => void) => next(),
          (req: any, res: any, next: () => void) => (req.headers['x-household'] === 'yes' ? next() : res.status(403).json({ denied: true })),
        ],
      });
      await loadFlow(flow());
      for (const path of ['/media-status', '/media-status/data/requests', '/media-status/data/stats', '/media-status/events']) {
        const res = await request(httpNode()).get(path).expect(403);
        assert.deepEqual(res.body, { denied: true }, path);
      }
      await request(httpNode()).get('/media-status/data/requests').set('x-household', 'yes').expect(200);
    });

    it('live viewers are bounded: the 101st gets 503; a viewer that stops reading is dropped, not kept in memory', async () => {
      await loadFlow(flow());
      const server: Server = createServer(httpNode()).listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as { port: number };
      const open = (): Promise<import('node:http').IncomingMessage> =>
        new Promise((resolve, reject) => get({ host: '127.0.0.1', port, path: '/media-status/events', agent: false }, resolve).on('error', reject));
      try {
        const viewers = await Promise.all(Array.from({ length: 100 }, open));
        assert.ok(viewers.every((v) => v.statusCode === 200));
        const extra = await open();
        assert.equal(extra.statusCode, 503);
        extra.resume();
        // One viewer stops reading; the others read on. Big changes (a 10,000-episode show) pile up for it.
        const [stalled, ...reading] = viewers;
        stalled!.pause();
        // The requests messages each reader has had whole. Lines are read by their first characters only:
        // a message's data line is megabytes long; a blank line ends a message.
        const received = reading.map(() => 0);
        reading.forEach((v, i) => {
          let head = '';
          let inRequests = false;
          v.setEncoding('utf8');
          v.on('data', (chunk: string) => {
            let start = 0;
            for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
              const line = head + chunk.slice(start, Math.min(nl, start + 20));
              if (line.startsWith('event: requests')) inRequests = true;
              else if (line === '' && inRequests) {
                received[i]!++;
                inRequests = false;
              }
              head = '';
              start = nl + 1;
            }
            if (head.length < 20) head += chunk.slice(start, start + 20 - head.length);
          });
        });
        // Each change reaches the readers before the next (however slow the machine): only the stalled one falls behind.
        const delivered = (n: number) => eventually(`every reader has ${n} messages`, () => received.every((count) => count >= n), { timeoutMs: 30000 });
        const show = showBodies({ ...LYCORIS, episodes: 10000 });
        const grab = show.grab();
        await send('sonarr', grab);
        await delivered(1);
        for (let i = 0; i < 8; i++) {
          await send('sonarr', { ...show.importFile(1 + i), episodes: [{ ...grab.episodes[i] }] });
          await delivered(2 + i);
        }
        // The server hung up on it: once it reads again it reaches the end, though heartbeats go on for the others.
        const closed = once(stalled!.socket, 'close');
        stalled!.resume();
        await closed;
        assert.equal(
          reading.every((v) => !v.socket.destroyed),
          true,
          'the viewers that read are still there',
        );
        reading.forEach((v) => v.destroy());
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
  });
});
