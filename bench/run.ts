/**
 * npm run bench: speed and memory of the tracker, each against a baseline measured in the same run
 * on the same machine. Writes bench/results/latest.json and prints a table.
 *
 * 1. Webhooks per second through the example tracker flow vs a bare `http in -> http response` flow
 *    in the same Node-RED, in alternating rounds (target: the median round at least 0.75 of bare):
 *    movie journeys, then Jellyseerr approvals alone.
 * 2. End-to-end time of a Sonarr Grab and an import-complete for a 1,000-episode season (target < 250 ms).
 * 3. With 10,000 requests and 100,000 episodes stored: reading the 100 newest and one request (target < 20 ms).
 * 4. Resident memory of Node-RED with the package loaded and that store open vs bare Node-RED (target < 40 MB).
 * 5. Shoko events per second absorbed by shoko-in -> episode-state for a 13-episode season's flood
 *    (FileHashed x13, SeriesUpdated, EpisodeUpdated x78, repeated) vs the same flood into a counter, and
 *    the time from a FileMatched to the state-change output vs to shoko-in's own output.
 * 6. One qBittorrent poll cycle with 500 active torrents (one HTTP call; applying its events, against
 *    the call itself), and that nothing is sent to qBittorrent when nothing is active.
 * 7. The status page with 2,000 requests stored: time to first render and bytes (target < 1 s, < 500 KB),
 *    against the same page on an empty store.
 * 8. Long shows: five 10,000-episode grabs of one show (each < 150 ms) and the longest read of a small
 *    request meanwhile (< 50 ms); the last of 1,100 weekly one-episode grabs (< 20 ms).
 * 9. Node-RED's memory after a 150 MB webhook body (<= 10 MB more) and twenty at once (<= 20 MB more).
 * 10. The first sync of 1,000 Jellyseerr requests and a 500-item Radarr queue, and the longest wait of a
 *    webhook during it (< 100 ms) against idle; a sync that finds nothing new: HTTP calls, writes (0);
 *    waiting reasons and ETAs for the unfinished requests (< 50 ms) against that sync.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWebhook } from '../lib/services/webhooks';
import { StatusStore } from '../lib/store/store';
import { track } from '../lib/tracker/track';
import { INTERSTELLAR, LYCORIS, movieJourney, showBodies, type Hook } from '../test/support/bodies';
import { ROOT } from '../test/support/fixtures';
import { startNodeRed } from '../test/support/node-red';
import { benchPage } from './page';
import { benchQbit } from './qbittorrent';
import { benchShoko } from './shoko';
import { benchActingBodies, benchBodies, benchLongShows } from './hardening';
import { benchLyingJellyseerr, benchSync } from './sync';
import { get, nodeRedPid, post, rssOf, throughput, timed, withBareTab } from './harness';
import { highest, lowest, median } from './stats';

type Result = { name: string; value: number; unit: string; baseline?: number; target?: string; ok?: boolean };
const results: Result[] = [];

function movieSpec(i: number) {
  const hex = (i + 0x100000).toString(16).toUpperCase();
  return {
    ...INTERSTELLAR,
    requestId: 100000 + i,
    tmdb: 500000 + i,
    imdb: `tt9${String(i).padStart(6, '0')}`,
    title: `Bench Movie ${i}`,
    radarrId: 10000 + i,
    hash: hex.padStart(40, 'B'),
  };
}

function bodies(hooks: Hook[], base: string, bare: boolean): [string, string][] {
  return hooks.map(([source, body]) => [bare ? `${base}/bare` : `${base}/hooks/${source}`, JSON.stringify(body)]);
}

async function populate(file: string, requests: number, episodesEach: number): Promise<void> {
  const store = await StatusStore.open(file);
  const show = showBodies({ ...LYCORIS, episodes: episodesEach });
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < requests; i++) {
    const grab = show.grab();
    grab.series = { ...grab.series, id: 50000 + i, tvdbId: 2000000 + i, tmdbId: 3000000 + i, title: `Bench Show ${i}` };
    grab.downloadId = (i + 0x100000).toString(16).toUpperCase().padStart(40, 'D');
    const parsed = parseWebhook(grab, 'sonarr');
    if (!parsed.ok) throw new Error(parsed.error);
    pending.push(track(store, parsed.event));
    if (pending.length >= 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  await store.close();
}

/** Throughput rounds: each side's rate is its requests over its time in all rounds. */
const ROUNDS = 12;
/** Webhooks per side and round. */
const PER_ROUND = 625;

/**
 * The tracker flow against the bare flow in the same Node-RED. The machine's speed drifts (a shared
 * VM): many short rounds, bare and tracker taking turns to go first, each on fresh movies (numbered
 * from `first`, each `hooksOf(i)` webhooks in order); both warmed up first (the JIT), on movies of their own.
 */
async function versusBare(url: string, first: number, hooksOf: (i: number) => Hook[]): Promise<{ bare: number; tracker: number; ratios: number[] }> {
  const perRound = Math.round(PER_ROUND / hooksOf(first).length);
  const warm = Math.round(perRound / 3);
  const movies = Array.from({ length: 2 * warm + ROUNDS * perRound }, (_, i) => hooksOf(first + i));
  await throughput(movies.slice(0, warm).map((j) => bodies(j, url, true)));
  await throughput(movies.slice(warm, 2 * warm).map((j) => bodies(j, url, false)));
  const totals = { bare: { requests: 0, seconds: 0 }, tracker: { requests: 0, seconds: 0 } };
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const slice = movies.slice(2 * warm + round * perRound, 2 * warm + (round + 1) * perRound);
    const rates = { bare: 0, tracker: 0 };
    for (const side of round % 2 ? (['tracker', 'bare'] as const) : (['bare', 'tracker'] as const)) {
      const run = await throughput(slice.map((j) => bodies(j, url, side === 'bare')));
      totals[side].requests += run.requests;
      totals[side].seconds += run.seconds;
      rates[side] = run.requests / run.seconds;
    }
    ratios.push(rates.tracker / rates.bare);
  }
  return { bare: totals.bare.requests / totals.bare.seconds, tracker: totals.tracker.requests / totals.tracker.seconds, ratios };
}

function spread(ratios: number[]): string {
  return `lowest x${lowest(ratios).toFixed(2)}, median x${median(ratios).toFixed(2)}, highest x${highest(ratios).toFixed(2)}`;
}

function report(result: Result): void {
  results.push(result);
  const ratio = result.baseline ? `  (x${(result.value / result.baseline).toFixed(2)} of baseline ${result.baseline.toFixed(1)} ${result.unit})` : '';
  const verdict = result.ok === undefined ? '' : result.ok ? '  ok' : '  MISSED';
  console.log(
    `${result.name.padEnd(62)} ${result.value.toFixed(1).padStart(9)} ${result.unit}${ratio}${result.target ? `  target ${result.target}` : ''}${verdict}`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mst-bench-'));
  try {
    // 1. Throughput: the tracker flow against a bare flow in the same Node-RED.
    const userDir = join(dir, 'node-red');
    mkdirSync(userDir, { recursive: true });
    withBareTab(join(userDir, 'flows.json'));
    let red = await startNodeRed(userDir, { STATUS_DB: join(dir, 'throughput.db') });
    // Movie journeys (request, approval, grab, import, Jellyfin), then Jellyseerr approvals alone (one
    // request made per webhook, the measure issue 20 names), on movies of their own.
    const journeys = await versusBare(red.url, 0, (i) => movieJourney(movieSpec(i)));
    console.log(`(${ROUNDS} rounds; tracker/bare per round: ${spread(journeys.ratios)})`);
    report({
      name: 'webhooks/s, tracker flow (movie journeys, 16 in flight)',
      value: journeys.tracker,
      unit: 'req/s',
      baseline: journeys.bare,
      target: 'median round >= 0.75 x bare',
      ok: median(journeys.ratios) >= 0.75,
    });
    const approvals = await versusBare(red.url, 100_000, (i) => [movieJourney(movieSpec(i))[1]!]);
    console.log(`(${ROUNDS} rounds; tracker/bare per round: ${spread(approvals.ratios)})`);
    report({
      name: 'webhooks/s, tracker flow (Jellyseerr approvals, 16 in flight)',
      value: approvals.tracker,
      unit: 'req/s',
      baseline: approvals.bare,
      target: 'median round >= 0.75 x bare',
      ok: median(approvals.ratios) >= 0.75,
    });

    // 2. A 1,000-episode season: grab and import-complete, end to end over HTTP.
    const agent = new Agent({ keepAlive: true });
    const grabTimes: number[] = [];
    const importTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const show = showBodies({
        ...LYCORIS,
        episodes: 1000,
        title: `Long Show ${i}`,
        tvdb: 900000 + i,
        tmdb: 910000 + i,
        sonarrId: 700 + i,
        requestId: 70000 + i,
        hash: (i + 0xabc).toString(16).toUpperCase().padStart(40, 'A'),
      });
      const grab = JSON.stringify(show.grab());
      const complete = JSON.stringify(show.importComplete());
      bareTimes.push(await timed(() => post(agent, `${red.url}/bare`, complete)));
      grabTimes.push(await timed(() => post(agent, `${red.url}/hooks/sonarr`, grab)));
      importTimes.push(await timed(() => post(agent, `${red.url}/hooks/sonarr`, complete)));
    }
    const bareRoundTrip = median(bareTimes);
    report({
      name: 'Sonarr Grab, 1,000 episodes, end to end (median of 5)',
      value: median(grabTimes),
      unit: 'ms',
      baseline: bareRoundTrip,
      target: '< 250 ms',
      ok: median(grabTimes) < 250,
    });
    report({
      name: 'Sonarr import-complete, 1,000 files, end to end (median of 5)',
      value: median(importTimes),
      unit: 'ms',
      baseline: bareRoundTrip,
      target: '< 250 ms',
      ok: median(importTimes) < 250,
    });
    agent.destroy();
    await red.stop();

    // 3 and 4. A big store: 10,000 requests, 100,000 episodes.
    const big = join(dir, 'big.db');
    const populateMs = await timed(() => populate(big, 10000, 10));
    console.log(`(stored 10,000 requests with 100,000 episodes in ${(populateMs / 1000).toFixed(1)} s)`);
    const bigDir = join(dir, 'node-red-big');
    mkdirSync(bigDir, { recursive: true });
    copyFileSync(join(ROOT, 'examples', 'media-status-tracker.json'), join(bigDir, 'flows.json'));
    red = await startNodeRed(bigDir, { STATUS_DB: big });
    const readAgent = new Agent({ keepAlive: true });
    const list: number[] = [];
    const one: number[] = [];
    let listBytes = 0;
    for (let i = 0; i < 30; i++) {
      list.push(await timed(async () => (listBytes = (await get(readAgent, `${red.url}/media-status/api/requests?limit=100`)).bytes)));
      one.push(await timed(() => get(readAgent, `${red.url}/media-status/api/requests/${1 + ((i * 331) % 10000)}`)));
    }
    const notFound: number[] = [];
    for (let i = 0; i < 30; i++) notFound.push(await timed(() => get(readAgent, `${red.url}/media-status/api/requests/999999`)));
    readAgent.destroy();
    const floor = median(notFound.slice(5));
    report({
      name: `read the 100 newest (${Math.round(listBytes / 1024)} KB), 10k requests stored (median)`,
      value: median(list.slice(5)),
      unit: 'ms',
      baseline: floor,
      target: '< 20 ms',
      ok: median(list.slice(5)) < 20,
    });
    report({
      name: 'read one request with its timeline, 10k requests stored (median)',
      value: median(one.slice(5)),
      unit: 'ms',
      baseline: floor,
      target: '< 20 ms',
      ok: median(one.slice(5)) < 20,
    });
    const trackerRss = rssOf(nodeRedPid(red, true));
    await red.stop();

    const bareDir = join(dir, 'node-red-bare');
    mkdirSync(bareDir, { recursive: true });
    writeFileSync(join(bareDir, 'flows.json'), '[]');
    const bareRed = await startNodeRed(bareDir, {}, { withPackage: false });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const bareRss = rssOf(nodeRedPid(bareRed, false));
    await bareRed.stop();
    const growth = (trackerRss - bareRss) / 1024 / 1024;
    report({
      name: 'memory growth: package + big store open vs bare Node-RED',
      value: growth,
      unit: 'MB',
      baseline: bareRss / 1024 / 1024,
      target: '< 40 MB',
      ok: growth < 40,
    });

    // 5. Shoko's flood through shoko-in -> episode-state.
    const shoko = await benchShoko(dir);
    report({
      name: 'Shoko events/s through shoko-in -> episode-state (13-ep flood)',
      value: shoko.eventsPerSecond,
      unit: 'ev/s',
      baseline: shoko.baselineEventsPerSecond,
    });
    report({ name: 'FileMatched -> state-change output (median of 25)', value: shoko.matchToChangeMs, unit: 'ms', baseline: shoko.baselineMatchToOutputMs });

    // 6. One qBittorrent poll cycle with 500 active torrents.
    const qbit = await benchQbit(dir);
    report({ name: 'qBittorrent poll, 500 torrents: apply 500 progress events', value: qbit.applyMs, unit: 'ms', baseline: qbit.fetchMs });
    report({ name: 'qBittorrent poll, 500 torrents: the one torrents/info call', value: qbit.fetchMs, unit: 'ms' });
    report({ name: 'requests to qBittorrent when nothing is active', value: qbit.requestsWhenIdle, unit: 'req', target: '0', ok: qbit.requestsWhenIdle === 0 });

    // 8. Long shows that must not stall Node-RED.
    const long = await benchLongShows(dir);
    long.grabTimes.forEach((ms, i) =>
      report({
        name: `Sonarr Grab ${i + 1} of 5, 10,000 episodes each, one show`,
        value: ms,
        unit: 'ms',
        baseline: long.bareBigMs,
        target: '< 150 ms',
        ok: ms < 150,
      }),
    );
    report({
      name: 'longest GET of one small request during those grabs',
      value: long.busyLongestReadMs,
      unit: 'ms',
      baseline: long.idleLongestReadMs,
      target: '< 50 ms',
      ok: long.busyLongestReadMs < 50,
    });
    report({
      name: 'weekly grabs: the last of 1,100 one-episode grabs (median of 5)',
      value: long.lastWeeklyMs,
      unit: 'ms',
      baseline: long.bareSmallMs,
      target: '< 20 ms',
      ok: long.lastWeeklyMs < 20,
    });

    // 9. Webhook bodies of 150 MB: refused before they are read.
    const bodies150 = await benchBodies(dir);
    report({
      name: 'memory growth after one 150 MB webhook body',
      value: bodies150.oneMB,
      unit: 'MB',
      baseline: bodies150.beforeMB,
      target: '<= 10 MB',
      ok: bodies150.oneMB <= 10,
    });
    report({
      name: 'memory growth after twenty 150 MB bodies at once',
      value: bodies150.twentyMB,
      unit: 'MB',
      baseline: bodies150.beforeMB,
      target: '<= 20 MB',
      ok: bodies150.twentyMB <= 20,
    });

    // 10. Sync from the APIs.
    const synced = await benchSync(dir);
    report({ name: 'first sync: 1,000 Jellyseerr requests, 500-item Radarr queue', value: synced.firstMs, unit: 'ms' });
    report({
      name: "longest wait of a webhook's event during that sync",
      value: synced.duringLongest,
      unit: 'ms',
      baseline: synced.idleLongest,
      target: '< 100 ms',
      ok: synced.duringLongest < 100,
    });
    report({ name: 'a sync that finds nothing new: time', value: synced.quietMs, unit: 'ms', baseline: synced.firstMs });
    report({ name: 'a sync that finds nothing new: HTTP calls', value: synced.quietCalls, unit: 'req' });
    report({
      name: `why and when (waiting reasons, ETAs) for ${synced.unfinished} unfinished requests`,
      value: synced.outlookMs,
      unit: 'ms',
      baseline: synced.quietMs,
      target: '< 50 ms',
      ok: synced.outlookMs < 50,
    });
    report({ name: 'a sync that finds nothing new: write transactions', value: synced.quietWrites, unit: 'tx', target: '0', ok: synced.quietWrites === 0 });

    // 11. What issue 17's attacks cost now.
    const lying = await benchLyingJellyseerr(dir);
    report({ name: 'a Jellyseerr lying about paging: one sync, time', value: lying.lying.ms, unit: 'ms', baseline: lying.honest.ms });
    report({
      name: 'a Jellyseerr lying about paging: its calls',
      value: lying.lying.calls,
      unit: 'req',
      baseline: lying.honest.calls,
      target: '<= 2 x honest',
      ok: lying.lying.calls <= 2 * lying.honest.calls,
    });
    const acting = await benchActingBodies(dir);
    report({
      name: 'a 5 MB binary body to the action route: answered in',
      value: acting.fiveMs,
      unit: 'ms',
      baseline: acting.smallMs,
      target: '< 100 ms',
      ok: acting.fiveMs < 100,
    });
    report({
      name: 'a 20 MB binary body to the action route: answered in',
      value: acting.twentyMs,
      unit: 'ms',
      baseline: acting.smallMs,
      target: '< 100 ms',
      ok: acting.twentyMs < 100,
    });
    report({
      name: 'memory growth after those two bodies',
      value: acting.growthMB,
      unit: 'MB',
      baseline: acting.beforeMB,
      target: '<= 10 MB',
      ok: acting.growthMB <= 10,
    });

    // 7. The status page with 2,000 requests stored (needs Chromium).
    if (existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) {
      const page = await benchPage(join(dir, 'page'));
      report({
        name: 'status page, 2,000 requests: navigation to first cards (median of 5)',
        value: page.full.firstRenderMs,
        unit: 'ms',
        baseline: page.empty.firstRenderMs,
        target: '< 1000 ms',
        ok: page.full.firstRenderMs < 1000,
      });
      report({
        name: 'status page, 2,000 requests: bytes loaded (page, data, numbers)',
        value: page.full.bytes / 1024,
        unit: 'KB',
        baseline: page.empty.bytes / 1024,
        target: '< 500 KB',
        ok: page.full.bytes < 500 * 1024,
      });
    } else console.log('(status page not measured: Chromium is not installed)');

    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
