import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { FakeNotifiers } from '../fakes/notifiers';
import { INTERSTELLAR, itemId, LYCORIS, movieJourney, showBodies, VIOLET, type Hook } from '../support/bodies';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../support/chromium';
import { ROOT } from '../support/fixtures';
import { postHook, startNodeRed, writeSettings, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Two people signed in (httpNodeMiddleware with Basic auth) and one with a personal link, in a real
 * browser against the example flow and its ntfy notifier: each sees only their own and followed
 * requests, a follow from the page makes the follower get the next news, and the watch-now links
 * open the right Jellyfin items.
 */

const dir = tempDir('mst-browser-people-');
/** `npm run screenshots` sets docs/. */
const shots = process.env.SCREENSHOTS_DIR ?? dir;
const USERS = { adept: 'adept-pass', kana: 'kana-pass' };
const JELLYFIN = 'https://jellyfin.example';
const PEOPLE = [
  { name: 'adept', addresses: { ntfy: 'adept-topic' } },
  { name: 'kana', addresses: { ntfy: 'kana-topic' } },
  { name: 'mika', addresses: { ntfy: 'mika-topic' } },
];

describe('in a real browser: people', () => {
  let red: RunningNodeRed;
  let ntfy: FakeNotifiers;
  let browser: Browser;
  const kanasMovie: Hook[] = movieJourney(INTERSTELLAR).map(([source, body]) => {
    const copy = structuredClone(body);
    if (source === 'jellyseerr') copy.request.requestedBy_username = 'kana';
    return [source, copy];
  });

  async function hooks(list: Hook[]) {
    for (const [source, body] of list) assert.equal((await postHook(red.url, source, body)).status, 200);
  }

  before(async function () {
    skipWithoutChromium(this);
    ntfy = await new FakeNotifiers().start();
    const userDir = join(dir, 'node-red');
    mkdirSync(userDir, { recursive: true });
    // settings.js: a middleware that signs in whoever sends a right Basic login, and lets anyone else pass (the page is public).
    writeSettings(
      userDir,
      `{ httpNodeMiddleware: (req, res, next) => {
  const basic = /^Basic (.+)$/.exec(req.headers.authorization || '');
  if (!basic) return next();
  const [name, password] = Buffer.from(basic[1], 'base64').toString().split(':');
  if (USERS[name] !== password) return res.status(401).end();
  req.user = { username: name };
  next();
} }`,
      `const USERS = ${JSON.stringify(USERS)};`,
    );
    const flows = ['media-status-tracker', 'notify-ntfy'].flatMap((name) => JSON.parse(readFileSync(join(ROOT, 'examples', `${name}.json`), 'utf8')));
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows));
    red = await startNodeRed(userDir, {
      STATUS_DB: join(dir, 'people.db'),
      NTFY_URL: `${ntfy.url}/ntfy`,
      NTFY_TOPIC: 'household',
      NOTIFY_DIGEST_SECONDS: '0',
      JELLYFIN_PUBLIC_URL: JELLYFIN,
      MEDIA_STATUS_PEOPLE: JSON.stringify(PEOPLE),
    });
    // Kana's movie imported (not yet in Jellyfin); adept's show with 4 of 13 episodes in Jellyfin.
    await hooks(kanasMovie.slice(0, 4));
    const show = showBodies(LYCORIS);
    await hooks([
      ['jellyseerr', show.approved],
      ['sonarr', show.grab()],
      ['sonarr', show.importComplete()],
      ...show.numbers.slice(0, 4).map((n): Hook => ['jellyfin', show.jellyfinEpisode(n)]),
    ]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
    await ntfy?.stop();
  });

  const as = (name: keyof typeof USERS): Promise<BrowserContext> =>
    browser.newContext({ extraHTTPHeaders: { authorization: `Basic ${Buffer.from(`${name}:${USERS[name]}`).toString('base64')}` } });

  async function mine(page: Page, path: string): Promise<string[]> {
    await page.goto(`${red.url}${path}`);
    await page.waitForSelector('body[data-ready="true"]');
    return page.locator('#list .card .title').allTextContents();
  }

  async function personId(name: string): Promise<number> {
    const res = await fetch(`${red.url}/media-status/sidebar/people`);
    return ((await res.json()) as any).people.find((p: any) => p.name === name).id;
  }

  it("the editor's sidebar edits a person: their settings as JSON, checked by the same schema, and a personal link shown once", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(red.url);
    await page.waitForSelector('#red-ui-palette .red-ui-palette-node', { timeout: 30000 });
    await page.waitForFunction(() => {
      (window as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show('media-status');
      return !!document.querySelector('.mst-people-toggle');
    });
    await page.locator('.mst-people-toggle').click();
    await page.waitForSelector('.mst-person');
    assert.deepEqual(await page.locator('.mst-person .mst-title').allTextContents(), ['adept', 'kana', 'mika']);
    const kana = page.locator('.mst-person[data-name="kana"]');
    await kana.locator('.mst-line').click();
    const editor = kana.locator('.mst-person-json');
    const settings = JSON.parse(await editor.inputValue());
    assert.deepEqual(settings.addresses, { ntfy: 'kana-topic' });
    await editor.fill(JSON.stringify({ ...settings, quiet: { from: '25:00', to: '07:00' } }));
    await kana.locator('.mst-save').click();
    await page.waitForFunction(() =>
      /quiet\.from: a time of day as HH:MM/.test(document.querySelector('.mst-person[data-name="kana"] .mst-said')?.textContent ?? ''),
    );
    await editor.fill(JSON.stringify({ ...settings, quiet: { from: '23:00', to: '07:00' } }));
    await kana.locator('.mst-save').click();
    await page.waitForFunction(async () => {
      const people = await (await fetch('media-status/sidebar/people')).json();
      return people.people.find((p: any) => p.name === 'kana').quiet?.from === '23:00';
    });
    // Back to no quiet hours: the next test's news must not wait for the night.
    const reopened = page.locator('.mst-person[data-name="kana"]');
    await reopened.locator('.mst-line').click();
    await reopened.locator('.mst-person-json').fill(JSON.stringify(settings));
    await reopened.locator('.mst-save').click();
    await page.waitForFunction(async () => {
      const people = await (await fetch('media-status/sidebar/people')).json();
      return people.people.find((p: any) => p.name === 'kana').quiet === null;
    });
    // A personal link for kana: its address, shown once, opens her page.
    const again = page.locator('.mst-person[data-name="kana"]');
    await again.locator('.mst-line').click();
    await again.locator('.mst-link').click();
    const link = await again.locator('.mst-new-link').inputValue();
    assert.match(link, new RegExp(`^${red.url}/media-status/me/[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}$`));
    const mine = await fetch(`${link}/data`);
    assert.equal(mine.status, 200);
    assert.deepEqual(((await mine.json()) as any).person, { name: 'kana' });
    await page.close();
  });

  it('each signed-in person sees their own requests on /me; the watch-now links open the right Jellyfin episodes', async () => {
    const adept = await as('adept');
    const kana = await as('kana');
    const adeptsPage = await adept.newPage();
    assert.deepEqual(await mine(adeptsPage, '/media-status/me'), ['Lycoris Recoil (2022)']);
    assert.equal(await adeptsPage.locator('#mine').textContent(), 'adept: yours and followed');
    const links = await adeptsPage.locator('#list .grid a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    assert.deepEqual(
      links,
      [1, 2, 3, 4].map((n) => `${JELLYFIN}/web/#/details?id=${itemId(LYCORIS.episodeTvdbBase + n)}`),
    );
    assert.deepEqual(await adeptsPage.locator('#others li span').allTextContents(), ['Interstellar (2014) · importing']);
    assert.deepEqual(await mine(await kana.newPage(), '/media-status/me'), ['Interstellar (2014)']);
    await adept.close();
    await kana.close();
  });

  it('a follow from the household page and one from a personal link: the followers get the next news, each once; the watch-now link opens the movie', async () => {
    // Adept follows kana's movie from the household page.
    const adept = await as('adept');
    const household = await adept.newPage();
    await household.goto(`${red.url}/media-status`);
    await household.waitForSelector('.card .follow');
    const movieCard = household.locator('.card', { hasText: 'Interstellar' });
    assert.equal(await household.locator('.card', { hasText: 'Lycoris' }).locator('.follow').count(), 0, 'no follow button on your own request');
    await movieCard.locator('.follow').click();
    await household.waitForFunction(() => document.querySelector('.card .follow')?.getAttribute('aria-pressed') === 'true');
    assert.deepEqual(await mine(household, '/media-status/me'), ['Lycoris Recoil (2022)', 'Interstellar (2014)']);

    // Mika, with a personal link from the sidebar, follows it from her page.
    const made = await fetch(`${red.url}/media-status/sidebar/people/${await personId('mika')}/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { path, token } = (await made.json()) as { path: string; token: string };
    assert.equal(path, `/media-status/me/${token}`);
    const anyone = await browser.newContext();
    const mikasPage = await anyone.newPage();
    assert.deepEqual(await mine(mikasPage, path), []);
    await mikasPage.locator('#others li', { hasText: 'Interstellar' }).locator('.follow').click();
    await mikasPage.waitForFunction(() => document.querySelectorAll('#list .card').length === 1);
    assert.deepEqual(await mikasPage.locator('#list .card .title').allTextContents(), ['Interstellar (2014)']);

    // The next news: the movie in Jellyfin. Kana (requester), adept and mika (followers): once each; the household's topic, nothing.
    ntfy.deliveries.length = 0;
    await hooks(kanasMovie.slice(4));
    // Then a guest's movie (nobody's person): the household hears of it, after the movie's people were looked up.
    await hooks(
      movieJourney(VIOLET).map(([source, body]): Hook => [
        source,
        source === 'jellyseerr' ? { ...body, request: { ...body.request, requestedBy_username: 'guest' } } : body,
      ]),
    );
    await ntfy.until(() => ntfy.of('ntfy').some((d: any) => d.body.topic === 'household'));
    assert.deepEqual(
      ntfy
        .of('ntfy')
        .map((d: any) => [d.body.topic, d.body.title])
        .sort(),
      [
        ['adept-topic', 'Available: Interstellar (2014)'],
        ['household', 'Available: Violet Evergarden: The Movie (2020)'],
        ['kana-topic', 'Available: Interstellar (2014)'],
        ['mika-topic', 'Available: Interstellar (2014)'],
      ],
    );
    // Her page shows it ready, with its watch-now link (live: it reloads on the change).
    await mikasPage.waitForSelector('#list .card a.watch');
    await mikasPage.setViewportSize({ width: 1100, height: 700 });
    await mikasPage.screenshot({ path: join(shots, 'personal-page.png'), fullPage: true });
    assert.equal(await mikasPage.locator('#list .card a.watch').getAttribute('href'), `${JELLYFIN}/web/#/details?id=${itemId(INTERSTELLAR.tmdb)}`);

    // Revoked from the sidebar: her link is 404 at once.
    const mika = await personId('mika');
    const list = ((await (await fetch(`${red.url}/media-status/sidebar/people`)).json()) as any).people.find((p: any) => p.id === mika);
    assert.equal(JSON.stringify(list).includes(token), false, 'the sidebar never lists a token');
    const revoke = await fetch(`${red.url}/media-status/sidebar/people/${mika}/links/${list.links[0].id}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(revoke.status, 200);
    assert.equal((await fetch(`${red.url}${path}/data`)).status, 404);
    assert.equal(red.output().includes(token), false, 'the token is never logged');
    await adept.close();
    await anyone.close();
  });
});
