import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { INTERSTELLAR, LYCORIS, movieBodies, movieJourney, showBodies } from '../support/bodies';
import { postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../support/chromium';

/**
 * The status page and the editor sidebar in a real browser (Debian's Chromium driven by
 * playwright-core), against the example flow in a real Node-RED. Screenshots go to
 * SCREENSHOTS_DIR (`npm run screenshots` sets docs/), else to a temporary folder.
 */

const HOSTILE = '<img src=x onerror=alert(1)>';

const dir = tempDir('mst-browser-');
const shots = process.env.SCREENSHOTS_DIR ?? dir;
let red: RunningNodeRed;
let browser: Browser;

async function hooks(list: [string, unknown][]) {
  for (const [source, body] of list) assert.equal((await postHook(red.url, source, body)).status, 200);
}

/** A page that never leaves this machine: anything but Node-RED is refused (posters included). */
async function offlinePage(options: Parameters<Browser['newPage']>[0] = {}): Promise<{ page: Page; outside: string[]; dialogs: string[] }> {
  const page = await browser.newPage(options);
  const outside: string[] = [];
  const dialogs: string[] = [];
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    outside.push(`${route.request().resourceType()} ${url.hostname}`);
    return route.abort();
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { page, outside, dialogs };
}

describe('in a real browser', () => {
  before(async function () {
    skipWithoutChromium(this);
    red = await startNodeRed(join(dir, 'node-red'), { STATUS_DB: join(dir, 'page.db') });
    const show = showBodies(LYCORIS);
    await hooks(movieJourney(INTERSTELLAR));
    await hooks([
      ['jellyseerr', show.approved],
      ['sonarr', show.grab()],
      ['sonarr', show.importComplete()],
    ]);
    await hooks(show.numbers.slice(0, 9).map((n): [string, unknown] => ['jellyfin', show.jellyfinEpisode(n)]));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
  });

  it('renders the journeys: cards newest first, step bars, the episode grid with its counts, the numbers', async () => {
    const { page, outside } = await offlinePage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${red.url}/media-status`);
    await page.waitForSelector('body[data-ready="true"]');
    const titles = await page.locator('.card .title').allTextContents();
    assert.deepEqual(titles, ['Lycoris Recoil (2022)', 'Interstellar (2014)']);
    const tv = page.locator('.card').first();
    assert.equal(await tv.locator('.grid i').count(), 13);
    assert.equal(await tv.locator('.counts').textContent(), '9 available, 4 importing');
    assert.equal(await tv.locator('.steps i').count(), 8, 'anime: the Matching step is shown');
    // Why it waits and when it will be ready, on the card and per episode (no show has finished yet: no basis for an ETA).
    const waiting = tv.locator('.waiting');
    assert.equal(await waiting.getAttribute('data-code'), 'waiting-for-shoko');
    assert.equal(await waiting.textContent(), 'S01E10: imported; waiting for Shoko to find and match the file');
    assert.equal(await tv.locator('.eta').textContent(), 'ready: unknown (no basis yet: fewer than 3 shows measured from downloaded to available)');
    assert.match(
      (await tv.locator('.grid i').nth(9).getAttribute('title')) ?? '',
      /^S01E10 \S+: imported; waiting for Shoko to find and match the file · ready: unknown \(no basis yet/,
    );
    const movie = page.locator('.card').nth(1);
    assert.equal(await movie.locator('.steps i').count(), 7);
    assert.equal(await movie.locator('.steps i.done').count(), 7, 'AVAILABLE: every step done');
    assert.equal(await movie.locator('.waiting, .eta').count(), 0, 'available: nothing to wait for');
    assert.equal(await page.locator('.stat b').first().textContent(), '2');
    await page.screenshot({ path: join(shots, 'status-page-desktop.png'), fullPage: true });
    assert.ok(
      outside.every((request) => request.startsWith('image ')),
      `only posters would leave the machine: ${outside.join(', ')}`,
    );

    await page.locator('.card').nth(1).click();
    await page.waitForSelector('dialog[open] ol.timeline li');
    const times = await page.locator('dialog time').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('datetime')));
    assert.equal(times.length, 5);
    assert.ok(times.every((t) => t && !Number.isNaN(Date.parse(t))));
    await page.close();
  });

  it('updates live when a webhook arrives, shows a hostile title as text, filters', async () => {
    const { page, dialogs } = await offlinePage({ viewport: { width: 1280, height: 900 } });
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    await page.goto(`${red.url}/media-status`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#live.on');
    const loads = navigations;

    const hostile = movieBodies({ ...INTERSTELLAR, title: HOSTILE, tmdb: 66, requestId: 66, hash: '66'.repeat(20) });
    await hooks([['radarr', hostile.grab]]);
    const card = page.locator('.card', { hasText: HOSTILE });
    await card.waitFor({ timeout: 5000 });
    assert.equal(navigations, loads, 'no reload');
    assert.equal(await card.locator('.title').textContent(), `${HOSTILE} (2014)`);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    await page.waitForTimeout(300);
    assert.deepEqual(dialogs, [], 'no script ran');

    await page.locator('#filters button[data-filter="available"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.card').length === 1);
    assert.deepEqual(await page.locator('.card .title').allTextContents(), ['Interstellar (2014)']);
    await page.close();
  });

  it('fits a phone screen, in dark mode', async () => {
    const { page } = await offlinePage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'dark', deviceScaleFactor: 2 });
    await page.goto(`${red.url}/media-status`);
    await page.waitForSelector('body[data-ready="true"]');
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      view: window.innerWidth,
      card: document.querySelector('.card')!.getBoundingClientRect().width,
    }));
    assert.ok(widths.page <= widths.view, `no sideways scrolling (${widths.page} > ${widths.view})`);
    assert.ok(widths.card <= widths.view);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(19, 22, 28)', 'dark background');
    await page.screenshot({ path: join(shots, 'status-page-phone.png') });
    await page.close();
  });

  it("the editor's Media status sidebar lists the same requests", async () => {
    const { page } = await offlinePage({ viewport: { width: 1400, height: 900 } });
    let lastRefresh = Date.now();
    page.on('response', (res) => {
      if (res.url().includes('media-status/sidebar/requests')) lastRefresh = Date.now();
    });
    await page.goto(`${red.url}/`);
    await page.waitForSelector('#red-ui-palette .red-ui-palette-node', { timeout: 30000 });
    // The plugin adds its tab when the editor loads it, and the editor shows its own info tab once its
    // flows are in: show ours (again) until its rows are on screen.
    const showTab = () =>
      page.waitForFunction(() => {
        (window as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show('media-status');
        const row = document.querySelector('.mst-request') as HTMLElement | null;
        return !!row && row.offsetParent !== null;
      });
    await showTab();
    // The tab re-renders when the store announces changes (throttled to 1 s, then 0.5 s in the editor): let it settle.
    while (Date.now() - lastRefresh < 1600) await page.waitForTimeout(200);
    await showTab();
    const titles = await page.locator('.mst-request .mst-title').allTextContents();
    assert.deepEqual(titles, [`${HOSTILE} (2014)`, 'Lycoris Recoil (2022)'], 'active requests, newest first');
    assert.equal(await page.locator('.mst-head a.mst-open-page').getAttribute('href'), '/media-status');
    await page.locator('.mst-request .mst-line').nth(1).click();
    await page.waitForSelector('.mst-timeline li');
    await page.locator('#red-ui-sidebar').screenshot({ path: join(shots, 'editor-sidebar.png') });
    await page.close();
  });
});
