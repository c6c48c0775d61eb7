import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { FakeArr } from '../fakes/arr-apis';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../support/chromium';
import { startNodeRed, writeSettings, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { grabbedInRadarr } from '../support/household';

/**
 * The example flow behind httpNodeAuth, in a real browser that has the household's login stored: a
 * page of another site (an HTML form, a no-cors fetch) cannot make it act, though the browser sends
 * the login along; the household's own page can, and the action is recorded as the logged-in user.
 */

const dir = tempDir('mst-browser-cross-site-');
const LOGIN = { username: 'household', password: 'household-pass' };
const basic = `Basic ${Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString('base64')}`;

function settingsWithNodeAuth(userDir: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hash = (require('bcryptjs') as { hashSync(p: string, rounds: number): string }).hashSync(LOGIN.password, 8);
  writeSettings(userDir, `{ httpNodeAuth: { user: ${JSON.stringify(LOGIN.username)}, pass: ${JSON.stringify(hash)} } }`);
}

describe('in a real browser: another site cannot make the tracker act', () => {
  let red: RunningNodeRed;
  let radarr: FakeArr;
  let browser: Browser;
  let context: BrowserContext;
  let attacker: Server;
  let attackerUrl: string;
  let requestId: number;

  before(async function () {
    skipWithoutChromium(this);
    radarr = await new FakeArr('radarr').start();
    const userDir = join(dir, 'node-red');
    settingsWithNodeAuth(userDir);
    // No API token: behind httpNodeAuth the household's login is the credential.
    red = await startNodeRed(
      userDir,
      { STATUS_DB: join(dir, 'cross-site.db'), ...radarr.exampleEnv(), SYNC_MINUTES: '600', STATUS_API_TOKEN: '' },
      { readyHeaders: { authorization: basic } },
    );
    requestId = await grabbedInRadarr(red, radarr, { authorization: basic });

    // Another site: `localhost` is not the site of `127.0.0.1`.
    const target = red.url;
    attacker = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><body>
<iframe name="a"></iframe><iframe name="b"></iframe>
<form id="act" method="POST" target="a" action="${target}/media-status/api/requests/${requestId}/actions/retry"><input name="reason" value="from another site"></form>
<form id="sync" method="POST" target="b" enctype="text/plain" action="${target}/media-status/api/sync"><input name='{"a":"' value='"}'></form>
<script>
  document.getElementById('act').submit();
  document.getElementById('sync').submit();
  fetch('${target}/media-status/api/requests/${requestId}/actions/retry', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{}' });
</script></body>`);
    });
    attacker.listen(0, '127.0.0.1');
    await once(attacker, 'listening');
    attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    context = await browser.newContext({ httpCredentials: LOGIN });
  });
  after(async () => {
    await browser?.close();
    attacker?.close();
    await red?.stop();
    await radarr?.stop();
  });

  const timeline = async () =>
    (await fetch(`${red.url}/media-status/api/requests/${requestId}`, { headers: { authorization: basic } }).then((r) => r.json())) as {
      timeline: unknown[];
      attention: { reason: string } | null;
    };

  it("a form and a fetch from another site's page, with the login stored in the browser, are refused: nothing reaches Radarr", async () => {
    const before = (await timeline()).timeline.length;
    const page = await context.newPage();
    const answers: number[] = [];
    page.on('response', (res) => {
      if (res.url().startsWith(red.url)) answers.push(res.status());
    });
    const acted = page.waitForResponse((res) => res.url().includes('/actions/retry'));
    const synced = page.waitForResponse((res) => res.url().endsWith('/media-status/api/sync'));
    await page.goto(attackerUrl);
    assert.equal((await acted).status(), 403);
    assert.equal((await synced).status(), 403);
    await page.waitForFunction(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/actions/retry')).length > 0);
    await page.close();
    assert.ok(answers.length >= 2 && answers.every((s) => s === 403), String(answers));
    assert.deepEqual([radarr.removals, radarr.commands], [[], []]);
    const after = await timeline();
    assert.equal(after.timeline.length, before);
    assert.equal(after.attention, null);
  });

  it("the household's own page acts with its login, recorded as that user", async () => {
    const page = await context.newPage();
    await page.goto(`${red.url}/media-status`);
    const answer = await page.evaluate(async (path) => {
      const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'stalled' }) });
      return { status: res.status, body: (await res.json()) as { request: { attention: { reason: string } } } };
    }, `/media-status/api/requests/${requestId}/actions/retry`);
    await page.close();
    assert.equal(answer.status, 200);
    assert.equal(answer.body.request.attention.reason, `retry requested by ${LOGIN.username}: stalled`);
    assert.equal(radarr.removals.length, 1);
    assert.equal((await fetch(`${red.url}/media-status`)).status, 401, 'the page itself needs the login');
  });
});
