import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FakeArr } from '../fakes/arr-apis';
import { VIOLET } from '../support/bodies';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../support/chromium';
import { startNodeRed, writeSettings, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { grabbedInRadarr } from '../support/household';

/**
 * The editor's Media status tab with `adminAuth` set, in a real browser: a user with write permission
 * has the action buttons and a retry reaches the arr; a read-only user has none, and the admin route
 * answers 403 to their token.
 */

const dir = tempDir('mst-browser-actions-');
const USERS = {
  adept: { password: 'adept-pass', permissions: '*' },
  viewer: { password: 'viewer-pass', permissions: 'read' },
  writer: { password: 'writer-pass', permissions: 'media-status.write' },
};

/** settings.js: the package's own, plus adminAuth with the two users (plain passwords: a test only). */
function settingsWithUsers(userDir: string): void {
  writeSettings(
    userDir,
    `{ adminAuth: { type: 'credentials',
  users: async (name) => user(name),
  authenticate: async (name, password) => (USERS[name] && USERS[name].password === password ? user(name) : null) } }`,
    `const USERS = ${JSON.stringify(USERS)};
const user = (name) => (USERS[name] ? { username: name, permissions: USERS[name].permissions } : null);`,
  );
}

describe('in a real browser: actions from the editor', () => {
  let red: RunningNodeRed;
  let radarr: FakeArr;
  let browser: Browser;
  let requestId: number;

  before(async function () {
    skipWithoutChromium(this);
    radarr = await new FakeArr('radarr').start();
    const userDir = join(dir, 'node-red');
    settingsWithUsers(userDir);
    red = await startNodeRed(userDir, { STATUS_DB: join(dir, 'actions.db'), ...radarr.exampleEnv(), SYNC_MINUTES: '600' });
    requestId = await grabbedInRadarr(red, radarr);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
    await radarr?.stop();
  });

  /** The editor as `name`: logged in, the Media status tab shown, the request's row opened. */
  async function editorAs(name: keyof typeof USERS): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${red.url}/`);
    await page.fill('#node-dialog-login-username', name);
    await page.fill('#node-dialog-login-password', USERS[name].password);
    await page.click('#node-dialog-login-submit');
    await page.waitForSelector('#red-ui-palette .red-ui-palette-node', { timeout: 30000 });
    await page.waitForFunction(() => {
      (window as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show('media-status');
      const row = document.querySelector('.mst-request') as HTMLElement | null;
      return !!row && row.offsetParent !== null;
    });
    await page.locator('.mst-request .mst-line').first().click();
    await page.waitForSelector('.mst-timeline li');
    return page;
  }

  async function tokenOf(name: keyof typeof USERS): Promise<string> {
    const res = await fetch(`${red.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: 'node-red-admin',
        grant_type: 'password',
        scope: USERS[name].permissions,
        username: name,
        password: USERS[name].password,
      }),
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('a read-only user sees no buttons, and the action route answers their token 403', async () => {
    const page = await editorAs('viewer');
    assert.equal(await page.locator('.mst-actions button').count(), 0);
    const res = await fetch(`${red.url}/media-status/sidebar/requests/${requestId}/actions/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenOf('viewer')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 403);
    assert.deepEqual([radarr.removals, radarr.commands], [[], []]);
    await page.close();
  });

  it('a user with write permission has the buttons; a retry from the sidebar reaches Radarr and is recorded as theirs', async () => {
    const page = await editorAs('adept');
    assert.deepEqual(await page.locator('.mst-actions button').evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.action)), [
      'retry',
      'search',
      'verify',
      'explain',
      'mark-available',
      'dismiss',
      'forget',
    ]);
    await page.locator('.mst-actions button[data-action="retry"]').click();
    await page.waitForFunction(() => !!document.querySelector('.mst-request .mst-attention')?.textContent?.includes('retry requested by adept'));
    assert.equal(radarr.removals.length, 1);
    assert.deepEqual(radarr.commands, [{ name: 'MoviesSearch', movieIds: [VIOLET.radarrId] }]);
    await page.close();
  });

  it('media-status.write alone is enough for the route; it takes JSON only, never from another site', async () => {
    const token = await tokenOf('writer');
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${red.url}/media-status/sidebar/requests/${requestId}/actions/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...headers },
        body,
      });
    const form = await post({ 'content-type': 'application/x-www-form-urlencoded' }, 'reason=x');
    assert.equal(form.status, 403);
    const crossSite = await post({ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, '{}');
    assert.equal(crossSite.status, 403);
    const res = await post({ 'content-type': 'application/json' }, '{}');
    // Through to the action itself, which says why it does not apply here (nothing to verify with).
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /nothing to verify with/);
  });
});
