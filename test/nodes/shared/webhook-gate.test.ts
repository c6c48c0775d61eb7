import assert from 'node:assert/strict';
import { fixture, fixtureText } from '../../support/fixtures';
import { trackerFlows } from '../../support/flows';
import { callsOf, helper, httpNode, lastStatus, loadFlow, storeOf, useSettings } from '../../support/helper';
import { listen, rawPost } from '../../support/raw-http';
import { tempDir } from '../../support/tmp';

/**
 * The webhook routes in a real Node-RED runtime over real HTTP: what is refused before a byte of the
 * body is read, what a browser may not send, and the open door without a secret.
 */

const MB = 1024 * 1024;
const dir = tempDir();
const { trackerFlow } = trackerFlows(dir);

describe('webhook gate (http in -> arr-webhook-parse)', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  beforeEach(() => useSettings({ userDir: dir }));
  afterEach(async () => {
    await server?.close();
    await helper.unload();
    helper.settings({});
  });
  const start = async (parse: Record<string, unknown> = {}, credentials: Record<string, Record<string, string>> = {}) => {
    await loadFlow(trackerFlow(parse), credentials);
    server = await listen(httpNode());
  };
  const stored = async () => (await (await storeOf()).read.listRequests({ limit: 100 })).length;

  it('a body declared larger than 5 MB gets 413 at once, whatever its type, the rest of it unread', async () => {
    await start();
    for (const type of ['application/json', 'text/plain', 'application/octet-stream', 'image/png']) {
      const answer = await rawPost(`${server.url}/hook`, { 'content-type': type }, { declared: 150 * MB, send: 1 * MB });
      assert.equal(answer.status, 413, type);
      assert.deepEqual(JSON.parse(answer.body), { ok: false, error: 'body: larger than 5242880 bytes' });
      assert.equal(answer.headers.connection, 'close');
      assert.ok(answer.sentWhenAnswered <= 1 * MB, `${type}: answered after ${answer.sentWhenAnswered} bytes`);
    }
    assert.equal(await stored(), 0);
  });

  it('a chunked body (no length) that grows past 5 MB gets 413 and its connection closed, not read to the end', async () => {
    await start();
    const answer = await rawPost(`${server.url}/hook`, { 'content-type': 'text/plain' }, { send: 150 * MB });
    assert.equal(answer.status, 413);
    assert.ok(answer.sentWhenAnswered < 20 * MB, `answered after ${answer.sentWhenAnswered} bytes`);
    assert.equal(await stored(), 0);
  });

  it('a refused body always gets its answer read: its connection is closed after the answer, not reset under it', async () => {
    await start();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 40; i++) {
      const body = i % 2 ? { declared: 150 * MB, send: 512 * 1024 } : { send: 6 * MB };
      const { status } = await rawPost(`${server.url}/hook`, { 'content-type': 'application/json' }, body);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    assert.deepEqual([...statuses], [[413, 40]]);
  });

  it('without the secret: 401 before any body is read (the body is never sent, the answer comes)', async () => {
    await start({}, { parse: { secret: 's3cret' } });
    const answer = await rawPost(`${server.url}/hook`, { 'content-type': 'application/json' }, { declared: 1 * MB, send: 0 });
    assert.equal(answer.status, 401);
    assert.equal(answer.sentWhenAnswered, 0);
    const withIt = await rawPost(`${server.url}/hook?token=s3cret`, { 'content-type': 'application/json' }, Buffer.from(fixtureText('sonarr-test')));
    assert.equal(withIt.status, 200);
  });

  it("settings.js's httpNodeMiddleware refusing a request: no body read either", async () => {
    useSettings({
      userDir: dir,
      httpNodeMiddleware: (req: { headers: Record<string, string> }, res: { statusCode: number; end(): void }, next: () => void) => {
        if (req.headers['x-household'] === 'yes') return next();
        res.statusCode = 401;
        res.end();
      },
    });
    await start();
    const denied = await rawPost(`${server.url}/hook`, { 'content-type': 'application/json' }, { declared: 1 * MB, send: 0 });
    assert.equal(denied.status, 401);
    const allowed = await rawPost(`${server.url}/hook`, { 'content-type': 'application/json', 'x-household': 'yes' }, Buffer.from(fixtureText('sonarr-test')));
    assert.equal(allowed.status, 200);
  });

  it('a webhook a browser sent (Origin, or Sec-Fetch-Site across sites) is refused with 403 unless it carries the secret', async () => {
    await start();
    const body = Buffer.from(fixtureText('jellyseerr-media-pending'));
    for (const headers of [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }] as Record<
      string,
      string
    >[]) {
      const answer = await rawPost(`${server.url}/hook`, { 'content-type': 'text/plain', ...headers }, body);
      assert.equal(answer.status, 403, JSON.stringify(headers));
      assert.match(JSON.parse(answer.body).error, /^sent by a web browser without the webhook secret/);
    }
    assert.equal(await stored(), 0, 'nothing stored');
    for (const headers of [{}, { 'sec-fetch-site': 'none' }, { 'sec-fetch-site': 'same-origin' }] as Record<string, string>[]) {
      const answer = await rawPost(`${server.url}/hook`, { 'content-type': 'text/plain', ...headers }, body);
      assert.equal(answer.status, 200, JSON.stringify(headers));
    }
  });

  it('a browser with the secret is let in', async () => {
    await start({}, { parse: { secret: 's3cret' } });
    const answer = await rawPost(
      `${server.url}/hook?token=s3cret`,
      { 'content-type': 'text/plain', origin: 'http://nas.local' },
      Buffer.from(fixtureText('jellyseerr-media-pending')),
    );
    assert.equal(answer.status, 200);
  });

  it('raw and text/plain bodies are read as bytes and parsed: any content type, truncated JSON a precise 400', async () => {
    await start();
    for (const type of ['text/plain', 'application/octet-stream', 'application/json; charset=utf-8']) {
      const answer = await rawPost(`${server.url}/hook`, { 'content-type': type }, Buffer.from(JSON.stringify(fixture('radarr-test'))));
      assert.equal(answer.status, 200, type);
      assert.equal(JSON.parse(answer.body).outcome, 'test');
    }
    const truncated = await rawPost(`${server.url}/hook`, { 'content-type': 'application/json' }, Buffer.from(fixtureText('radarr-grab').slice(0, 300)));
    assert.equal(truncated.status, 400);
    assert.match(JSON.parse(truncated.body).error, /^body: not valid JSON/);
  });

  it('no secret: a yellow "open" status and one warning at deploy; WEBHOOK_SECRET naming an empty variable is no secret', async () => {
    process.env.MST_EMPTY_SECRET = '';
    try {
      await start({ secretEnv: 'MST_EMPTY_SECRET' });
      const parse = helper.getNode('parse');
      assert.deepEqual(lastStatus(parse), { fill: 'yellow', shape: 'ring', text: 'arr-webhook-parse.status.open' });
      assert.equal(callsOf(parse, 'warn').length, 1);
      assert.equal(callsOf(parse, 'warn')[0]?.args[0], 'arr-webhook-parse.warnings.open', 'the catalog text: no webhook secret is set...');
    } finally {
      delete process.env.MST_EMPTY_SECRET;
    }
    await helper.unload();
    await server.close();
    await start({}, { parse: { secret: 's3cret' } });
    assert.equal(callsOf(helper.getNode('parse'), 'warn').length, 0, 'with a secret, no warning');
    assert.equal(
      callsOf(helper.getNode('parse'), 'status').some((c) => c.args[0]?.text === 'arr-webhook-parse.status.open'),
      false,
    );
  });
});
