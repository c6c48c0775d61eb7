import { join } from 'node:path';
import { parseWebhook } from '../lib/services/webhooks';
import { track } from '../lib/tracker/track';
import { FakeShokoServer } from '../test/fakes/shoko-server';
import { LYCORIS, VIOLET, movieBodies, shokoFile, showBodies } from '../test/support/bodies';
import { fixture } from '../test/support/fixtures';
import { helper, loadFlow, placed, storeOf } from '../test/support/helper';
import { median } from './stats';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Shoko's event flood through shoko-in -> episode-state (a real Node-RED runtime via the test helper,
 * the real SignalR client, a JSON-protocol hub on loopback), against the same flood through shoko-in
 * into a plain counter; and the time from a FileMatched to the state-change output.
 */

const ROUNDS = 40;

function flow(url: string, file: string, withState: boolean) {
  return placed([
    { id: 'tab', type: 'tab' },
    { id: 'shoko', type: 'shoko-server', url, apiKeyEnv: '', pathMappings: '', resolveFolders: false },
    { id: 'store', type: 'status-store', path: file },
    { id: 'in', z: 'tab', type: 'shoko-in', server: 'shoko', passFile: true, passMetadata: false, wires: [[withState ? 'state' : 'count'], []] },
    { id: 'state', z: 'tab', type: 'episode-state', store: 'store', wires: [['count'], ['changes'], []] },
    { id: 'count', z: 'tab', type: 'helper', wires: [] },
    { id: 'changes', z: 'tab', type: 'helper', wires: [] },
  ]);
}

async function seed() {
  const store = await storeOf();
  const show = showBodies(LYCORIS);
  for (const [source, body] of [
    ['sonarr', show.grab()],
    ['sonarr', show.importComplete()],
  ] as const) {
    const parsed = parseWebhook(body, source);
    if (!parsed.ok) throw new Error(parsed.error);
    await track(store, parsed.event);
  }
  return show;
}

/** Seconds to absorb ROUNDS floods (13 FileHashed, 1 SeriesUpdated, 78 EpisodeUpdated each). */
async function flood(hub: FakeShokoServer, files: ReturnType<typeof shokoFile>[]): Promise<{ events: number; seconds: number }> {
  const counter = helper.getNode('count');
  let passed = 0;
  const expected = ROUNDS * files.length;
  const done = new Promise<void>((resolve) => counter.on('input', () => ++passed === expected && resolve()));
  const series = fixture('shoko/series-updated')[0];
  const episode = fixture('shoko/episode-updated')[0];
  const started = process.hrtime.bigint();
  let events = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const f of files) {
      const [target, argument] = f.hashed();
      hub.send(target, argument);
    }
    hub.send('ShokoEvent:SeriesUpdated', series);
    for (let i = 0; i < 78; i++) hub.send('ShokoEvent:EpisodeUpdated', { ...episode, EpisodeID: 261573 + (i % 13) });
    events += files.length + 1 + 78;
  }
  await done;
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export interface ShokoBench {
  eventsPerSecond: number;
  baselineEventsPerSecond: number;
  matchToChangeMs: number;
  baselineMatchToOutputMs: number;
}

export async function benchShoko(dir: string): Promise<ShokoBench> {
  helper.settings({ userDir: dir });
  const hub = new FakeShokoServer({ auth: 'open', pingMs: 5000 });
  await hub.start();
  try {
    // Baseline: the flood into a counter straight from shoko-in.
    await loadFlow(flow(hub.url, join(dir, 'shoko-base.db'), false));
    await hub.waitForClient();
    const show = showBodies(LYCORIS);
    const files = show.numbers.map((i) => shokoFile(show.file(i).path, 4800 + i));
    const base = await flood(hub, files);
    // Latency baseline: one FileMatched to shoko-in's output.
    const baseLatency: number[] = [];
    for (let i = 0; i < 30; i++)
      baseLatency.push(await roundTrip(hub, helper.getNode('count'), shokoFile(`/data/anime/movies/M${i}/M${i}.mkv`, 9000 + i).matched()));
    await helper.unload();
    await hub.kill();
    await hub.restart();

    await loadFlow(flow(hub.url, join(dir, 'shoko.db'), true));
    await hub.waitForClient();
    await seed();
    const tracked = await flood(hub, files);

    // FileMatched -> state-change output, for movies at IMPORTING (each match moves one to ANIME_MATCHING).
    const store = await storeOf();
    const latency: number[] = [];
    for (let i = 0; i < 30; i++) {
      const m = movieBodies({
        ...VIOLET,
        requestId: 9000 + i,
        tmdb: 900000 + i,
        title: `Bench Anime ${i}`,
        hash: (0xbeef00 + i).toString(16).toUpperCase().padStart(40, 'F'),
      });
      const parsed = parseWebhook(m.imported, 'radarr');
      if (!parsed.ok) throw new Error(parsed.error);
      await track(store, parsed.event);
      latency.push(await roundTrip(hub, helper.getNode('changes'), shokoFile(m.imported.movieFile.path, 9100 + i).matched()));
    }
    await helper.unload();
    return {
      eventsPerSecond: tracked.events / tracked.seconds,
      baselineEventsPerSecond: base.events / base.seconds,
      matchToChangeMs: median(latency.slice(5)),
      baselineMatchToOutputMs: median(baseLatency.slice(5)),
    };
  } finally {
    await hub.stop();
    helper.settings({});
  }
}

async function roundTrip(hub: FakeShokoServer, node: any, [target, argument]: readonly [string, unknown]): Promise<number> {
  const arrived = new Promise<void>((resolve) => node.once('input', () => resolve()));
  const started = process.hrtime.bigint();
  hub.send(target, argument);
  await arrived;
  return Number(process.hrtime.bigint() - started) / 1e6;
}
