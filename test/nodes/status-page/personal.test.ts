import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, get, type Server } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { PersonSchema } from '../../../lib/people/person';
import type { RequestRecord } from '../../../lib/model';
import type { WebhookSource } from '../../../lib/services/webhooks';
import { INTERSTELLAR, itemId, LYCORIS, movieBodies, movieJourney, showBodies } from '../../support/bodies';
import { type Body } from '../../support/fixtures';
import { callsOf, helper, httpNode, loadFlow, nodeOf, placed, storeOf, useSettings } from '../../support/helper';
import { hooks } from '../../support/store';
import { tempDir } from '../../support/tmp';
import { eventually } from '../../support/eventually';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * A person's page on the status page's HTTP side, in a real runtime: through a personal link or as a
 * signed-in user, only their own and followed requests, watch-now links, follow and revoke; and the
 * household page's requester names for signed-in users only.
 */

const dir = tempDir();
let db = 0;
const JELLYFIN = 'https://jellyfin.example';

describe('status-page: people', () => {
  /** The middleware settings.js would have: whoever X-Test-User names is signed in. */
  const signIn = (req: any, _res: unknown, next: () => void) => {
    if (req.headers['x-test-user']) req.user = { username: req.headers['x-test-user'] };
    next();
  };
  beforeEach(() => useSettings({ userDir: dir, statusPageHeartbeat: 100, httpNodeMiddleware: signIn }));
  afterEach(() => helper.unload());
  after(() => helper.settings({}));

  const flow = (page: Record<string, unknown> = {}) =>
    placed([
      { id: 'tab', type: 'tab' },
      { id: 'store', type: 'status-store', path: join(dir, `people${++db}.db`) },
      { id: 'jellyfin', type: 'jellyfin-server', url: JELLYFIN },
      { id: 'page', z: 'tab', type: 'status-page', store: 'store', path: '/media-status', names: 'signed-in', ...page, wires: [] },
    ]);

  /** Webhooks through the tracker into the flow's store; the request the last one changed. */
  const send = async (list: [WebhookSource, Body][]): Promise<RequestRecord> => (await hooks(await storeOf(), list))!.request!;

  /** Interstellar (kana's) available; Lycoris Recoil (adept's) with 4 of 13 episodes available; adept and kana as people. */
  async function household() {
    const movie = await send(
      movieJourney(INTERSTELLAR).map(([source, body]): [WebhookSource, Body] => {
        const copy = structuredClone(body);
        if (source === 'jellyseerr') copy.request.requestedBy_username = 'kana';
        return [source, copy];
      }),
    );
    const lycoris = showBodies(LYCORIS);
    const show = await send([
      ['jellyseerr', lycoris.approved],
      ['sonarr', lycoris.grab()],
      ['sonarr', lycoris.importComplete()],
      ...lycoris.numbers.slice(0, 4).map((n): [WebhookSource, Body] => ['jellyfin', lycoris.jellyfinEpisode(n)]),
    ]);
    const store = await storeOf();
    const adept = await store.people.save(PersonSchema.parse({ name: 'adept', logins: ['adept@home'] }));
    const kana = await store.people.save(PersonSchema.parse({ name: 'kana' }));
    return { movie, show, adept, kana, store };
  }

  const json = { 'content-type': 'application/json' };

  it("a personal link: that person's own requests with watch-now links per available episode, everyone else's to follow; never cached, never a referrer", async () => {
    await loadFlow(flow());
    const { movie, show, adept, store } = await household();
    const { token } = await store.people.newLink(adept.id);
    const res = await request(httpNode()).get(`/media-status/me/${token}/data`).expect(200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.deepEqual(res.body.person, { name: 'adept' });
    assert.deepEqual(
      res.body.requests.map((r: any) => [r.id, r.title, r.relation, r.watch]),
      [[show.id, 'Lycoris Recoil', 'own', null]],
    );
    const watch = res.body.requests[0].episodes.map((e: any) => e.watch);
    assert.deepEqual(watch.slice(0, 5), [...[1, 2, 3, 4].map((n) => `${JELLYFIN}/web/#/details?id=${itemId(LYCORIS.episodeTvdbBase + n)}`), null]);
    assert.deepEqual(
      res.body.others.map((o: any) => [o.id, o.title, o.state]),
      [[movie.id, 'Interstellar', 'AVAILABLE']],
    );
    assert.equal(JSON.stringify(res.body).includes('kana'), false, "others' requesters are not shown");
    const page = await request(httpNode()).get(`/media-status/me/${token}`).expect(200);
    assert.ok(page.text.includes(`<meta name="media-status-me" content="/media-status/me/${token}">`));
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
  });

  it('follow from a personal link: same site and JSON only; the followed request joins the page with its watch link; revoking the link makes it 404 at once', async () => {
    await loadFlow(flow());
    const { movie, adept, store } = await household();
    const { id, token } = await store.people.newLink(adept.id);
    const follow = `/media-status/me/${token}/follows/${movie.id}`;
    await request(httpNode()).post(follow).set(json).set('sec-fetch-site', 'cross-site').send('{}').expect(403);
    await request(httpNode()).post(follow).set('content-type', 'text/plain').send('{}').expect(403);
    await request(httpNode()).post(`/media-status/me/${token}/follows/99999`).set(json).send('{}').expect(404);
    await request(httpNode()).post(follow).set(json).set('sec-fetch-site', 'same-origin').send('{}').expect(200, { ok: true, following: true });
    const data = (await request(httpNode()).get(`/media-status/me/${token}/data`).expect(200)).body;
    const followed = data.requests.find((r: any) => r.id === movie.id);
    assert.deepEqual([followed.relation, followed.watch], ['followed', `${JELLYFIN}/web/#/details?id=${itemId(INTERSTELLAR.tmdb)}`]);
    assert.deepEqual(data.others, []);
    assert.deepEqual(
      (await store.people.read.audience(movie.id)).map((p) => p.name),
      ['adept', 'kana'],
    );

    assert.equal(await store.people.revokeLink(adept.id, id), true);
    await request(httpNode()).get(`/media-status/me/${token}/data`).expect(404, { ok: false, error: 'no such link' });
    await request(httpNode()).get(`/media-status/me/${token}`).expect(404);
    await request(httpNode()).post(follow).set(json).send('{}').expect(404);
    // Forged and malformed tokens: the same answer.
    await request(httpNode())
      .get(`/media-status/me/${id}.${'A'.repeat(43)}/data`)
      .expect(404);
    await request(httpNode()).get('/media-status/me/nonsense/data').expect(404);
    // Nothing the page node said holds the token.
    const said = (['log', 'warn', 'error'] as const).flatMap((m) => callsOf(nodeOf('page'), m).map((c) => JSON.stringify(c.args)));
    assert.equal(said.filter((line) => line.includes(token)).length, 0);
  });

  it('signed in: /me is that person (by a login of theirs); nobody signed in is 401, an unknown user 404', async () => {
    await loadFlow(flow());
    const { show, movie } = await household();
    const mine = await request(httpNode()).get('/media-status/me/data').set('x-test-user', 'adept@home').expect(200);
    assert.deepEqual(
      mine.body.requests.map((r: any) => r.id),
      [show.id],
    );
    await request(httpNode()).post(`/media-status/me/follows/${movie.id}`).set(json).set('x-test-user', 'ADEPT').send('{}').expect(200);
    await request(httpNode())
      .delete(`/media-status/me/follows/${movie.id}`)
      .set(json)
      .set('x-test-user', 'adept')
      .send('{}')
      .expect(200, { ok: true, following: false });
    await request(httpNode()).get('/media-status/me/data').expect(401);
    await request(httpNode())
      .get('/media-status/me/data')
      .set('x-test-user', 'stranger')
      .expect(404, { ok: false, error: 'nobody in the household is known as stranger' });
    // A requester who is nobody yet becomes a person by signing in under their Jellyseerr name.
    const guest = structuredClone(movieBodies({ ...INTERSTELLAR, tmdb: 4242, requestId: 4242, title: 'Guest Film' }).approved);
    guest.request.requestedBy_username = 'Guest';
    const guests = await send([['jellyseerr', guest]]);
    const theirs = await request(httpNode()).get('/media-status/me/data').set('x-test-user', 'guest').expect(200);
    assert.deepEqual([theirs.body.person, theirs.body.requests.map((r: any) => r.id)], [{ name: 'Guest' }, [guests.id]]);
    assert.ok((await (await storeOf()).people.read.list()).some((p) => p.name === 'Guest'));
    // The proxy's header counts only when the page trusts it.
    await request(httpNode()).get('/media-status/me/data').set('remote-user', 'kana').expect(401);
  });

  it("a trusted proxy's Remote-User signs a person in", async () => {
    await loadFlow(flow({ trustProxy: true }));
    const { movie } = await household();
    const res = await request(httpNode()).get('/media-status/me/data').set('remote-user', 'kana').expect(200);
    assert.deepEqual(
      res.body.requests.map((r: any) => r.id),
      [movie.id],
    );
  });

  it('the live stream follows the same rule, per viewer', async () => {
    await loadFlow(flow());
    const server: Server = createServer(httpNode()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const listen = async (headers: Record<string, string>) => {
      const stream = get({ host: '127.0.0.1', port, path: '/media-status/events', headers });
      const [res] = (await once(stream, 'response')) as [any];
      const seen = { text: '', stream };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (seen.text += chunk));
      while (!seen.text.includes('retry:')) await once(res, 'data');
      return seen;
    };
    const anonymous = await listen({});
    const signed = await listen({ 'x-test-user': 'adept' });
    const m = movieBodies(INTERSTELLAR);
    await send([['jellyseerr', m.pending]]);
    const requesters = async (seen: { text: string }) => {
      const data = await eventually('the requests event', () => /event: requests\ndata: (.*)\n\n/.exec(seen.text)?.[1], { everyMs: 20 });
      return JSON.parse(data).map((r: any) => r.requestedBy);
    };
    assert.deepEqual(await requesters(anonymous), [null]);
    assert.deepEqual(await requesters(signed), ['adept']);
    anonymous.stream.destroy();
    signed.stream.destroy();
    server.close();
  });

  it('requester names go to signed-in viewers only: cards, the requester list and filter, the timeline', async () => {
    await loadFlow(flow());
    const { movie } = await household();
    const anonymous = (await request(httpNode()).get('/media-status/data/requests').expect(200)).body;
    assert.deepEqual(
      anonymous.map((r: any) => r.requestedBy),
      [null, null],
    );
    const signedIn = (await request(httpNode()).get('/media-status/data/requests').set('x-test-user', 'adept').expect(200)).body;
    assert.deepEqual(
      signedIn.map((r: any) => r.requestedBy),
      ['adept', 'kana'],
    );
    await request(httpNode()).get('/media-status/data/requesters').expect(200, []);
    await request(httpNode()).get('/media-status/data/requesters').set('x-test-user', 'adept').expect(200, ['adept', 'kana']);
    // A filter by a name one may not see is no filter.
    assert.equal((await request(httpNode()).get('/media-status/data/requests?requester=kana').expect(200)).body.length, 2);
    const detail = (await request(httpNode()).get(`/media-status/data/requests/${movie.id}`).expect(200)).body;
    assert.equal(JSON.stringify(detail).includes('kana'), false, JSON.stringify(detail.timeline));
    const named = (await request(httpNode()).get(`/media-status/data/requests/${movie.id}`).set('x-test-user', 'adept').expect(200)).body;
    assert.ok(named.timeline.some((t: any) => t.detail.startsWith('requested by kana')));
  });
});
