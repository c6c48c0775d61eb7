import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { parseWebhook } from '../lib/services/webhooks';
import { StatusStore } from '../lib/store/store';
import { track } from '../lib/tracker/track';
import { INTERSTELLAR, LYCORIS, movieBodies, showBodies } from '../test/support/bodies';
import { startNodeRed } from '../test/support/node-red';
import { median } from './stats';
import { CHROMIUM, CHROMIUM_FLAGS } from '../test/support/chromium';

/**
 * The status page with 2,000 requests stored: time from navigation to the first rendered cards, and
 * the bytes it takes (page, data, numbers), against the same page on an empty store.
 */

const REQUESTS = 2000;

async function fill(file: string, count: number) {
  const store = await StatusStore.open(file);
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const tv = i % 3 === 0;
    const body = tv
      ? showBodies({
          ...LYCORIS,
          title: `Show ${i}`,
          tvdb: 3_000_000 + i,
          tmdb: 3_100_000 + i,
          requestId: 40000 + i,
          hash: (i + 0x500000).toString(16).toUpperCase().padStart(40, 'C'),
        }).grab()
      : movieBodies({
          ...INTERSTELLAR,
          title: `Movie ${i}`,
          tmdb: 3_200_000 + i,
          requestId: 40000 + i,
          hash: (i + 0x600000).toString(16).toUpperCase().padStart(40, 'D'),
        }).grab;
    const parsed = parseWebhook(body, tv ? 'sonarr' : 'radarr');
    if (!parsed.ok) throw new Error(parsed.error);
    pending.push(track(store, parsed.event));
    if (pending.length >= 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  await store.close();
}

async function measure(dir: string, count: number): Promise<{ firstRenderMs: number; bytes: number }> {
  const db = join(dir, `page-${count}.db`);
  await fill(db, count);
  const red = await startNodeRed(join(dir, `node-red-page-${count}`), { STATUS_DB: db });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    const times: number[] = [];
    let bytes = 0;
    for (let round = 0; round < 6; round++) {
      const page = await browser.newPage();
      let received = 0;
      await page.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
      page.on(
        'response',
        (res) =>
          void res.body().then(
            (b) => (received += b.length),
            () => undefined,
          ),
      );
      const start = Date.now();
      await page.goto(`${red.url}/media-status`);
      await page.waitForSelector('body[data-ready="true"]');
      times.push(Date.now() - start);
      await page.waitForLoadState('networkidle').catch(() => undefined);
      bytes = received;
      await page.close();
    }
    times.shift(); // the first load warms Node-RED and Chromium
    return { firstRenderMs: median(times), bytes };
  } finally {
    await browser.close();
    await red.stop();
  }
}

export async function benchPage(dir: string) {
  mkdirSync(dir, { recursive: true });
  const empty = await measure(dir, 0);
  const full = await measure(dir, REQUESTS);
  return { empty, full };
}
