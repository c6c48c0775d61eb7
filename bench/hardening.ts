import { mkdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { LYCORIS, movieBodies, INTERSTELLAR, showBodies, type ShowSpec } from '../test/support/bodies';
import { startNodeRed, type RunningNodeRed } from '../test/support/node-red';
import { rawPost } from '../test/support/raw-http';
import { get, nodeRedPid, post, rssOf, timed, withBareTab } from './harness';
import { median } from './stats';

/**
 * Load that must not stall Node-RED, through the example flow in a real Node-RED:
 * - five 10,000-episode grabs of one show in a row (each under 250 ms), and the longest wait of a
 *   small request's read (GET /media-status/api/requests/:id) polled meanwhile (under 100 ms),
 *   against the same reads while idle;
 * - a 1,100-episode show built one weekly grab at a time: its last grab (under 20 ms);
 * - Node-RED's memory after a 150 MB webhook body, and after 20 of them at once (at most 10 and 20 MB
 *   more).
 */

async function node(dir: string, name: string): Promise<RunningNodeRed> {
  const userDir = join(dir, name);
  mkdirSync(userDir, { recursive: true });
  withBareTab(join(userDir, 'flows.json'));
  return startNodeRed(userDir, { STATUS_DB: join(dir, `${name}.db`) });
}

/** Polls `url` until `stop` says so; the longest wait of one read. */
async function longestRead(agent: Agent, url: string, until: () => boolean): Promise<number> {
  let longest = 0;
  while (!until()) longest = Math.max(longest, await timed(() => get(agent, url)));
  return longest;
}

export async function benchLongShows(dir: string) {
  const red = await node(dir, 'long-shows');
  const agent = new Agent({ keepAlive: true });
  const reader = new Agent({ keepAlive: true });
  try {
    // A small request to read while the big show is worked on.
    await post(agent, `${red.url}/hooks/jellyseerr`, JSON.stringify(movieBodies(INTERSTELLAR).pending));
    const small = `${red.url}/media-status/api/requests/1`;
    let idleDone = false;
    const idleTimer = setTimeout(() => (idleDone = true), 2000);
    const idleLongest = await longestRead(reader, small, () => idleDone);
    clearTimeout(idleTimer);

    const show: ShowSpec = { ...LYCORIS, title: 'Very Long Show', tvdb: 880000, tmdb: 881000, sonarrId: 880, requestId: 88000, episodes: 10000 };
    const b = showBodies(show);
    const grabs = [1, 2, 3, 4, 5].map((season) => {
      const grab = b.grab();
      for (const e of grab.episodes) Object.assign(e, { seasonNumber: season, tvdbId: 90_000_000 + season * 100_000 + e.episodeNumber });
      grab.release.releaseTitle = `Very Long Show S${season} 1080p`;
      grab.downloadId = String(season).repeat(40);
      return JSON.stringify(grab);
    });
    const bare = median(await Promise.all([0, 1, 2].map(async () => timed(() => post(agent, `${red.url}/bare`, grabs[0]!)))));
    let grabbing = true;
    const reads = longestRead(reader, small, () => !grabbing);
    const grabTimes: number[] = [];
    for (const grab of grabs) {
      let status = 0;
      grabTimes.push(await timed(async () => (status = await post(agent, `${red.url}/hooks/sonarr`, grab))));
      if (status !== 200) throw new Error(`a 10,000-episode grab answered ${status}`);
    }
    grabbing = false;
    const busyLongest = await reads;

    // Weekly: one episode per grab, each with its own download.
    const weekly = showBodies({ ...LYCORIS, title: 'Weekly Anime', tvdb: 770000, tmdb: 771000, sonarrId: 770, requestId: 77000, episodes: 1100 });
    const weeklyTimes: number[] = [];
    for (let n = 1; n <= 1100; n++) {
      const grab = weekly.grab([n], n.toString(16).toUpperCase().padStart(40, 'E'));
      weeklyTimes.push(await timed(() => post(agent, `${red.url}/hooks/sonarr`, JSON.stringify(grab))));
    }
    const oneEpisodeBare = median(await Promise.all([0, 1, 2, 3, 4].map(() => timed(() => post(agent, `${red.url}/bare`, JSON.stringify(weekly.grab([1])))))));
    return {
      grabTimes,
      bareBigMs: bare,
      busyLongestReadMs: busyLongest,
      idleLongestReadMs: idleLongest,
      lastWeeklyMs: median(weeklyTimes.slice(-5)),
      bareSmallMs: oneEpisodeBare,
    };
  } finally {
    agent.destroy();
    reader.destroy();
    await red.stop();
  }
}

export async function benchBodies(dir: string) {
  const red = await node(dir, 'bodies');
  try {
    const pid = nodeRedPid(red, true);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));
    await settle();
    const before = rssOf(pid);
    const MB = 1024 * 1024;
    const one = await rawPost(`${red.url}/hooks/radarr`, { 'content-type': 'application/json' }, { declared: 150 * MB, send: 150 * MB });
    // Refused: 413, or the connection closed under the sender before it read the 413.
    const refused = (a: { status: number }) => a.status === 413 || a.status === 0;
    if (!refused(one)) throw new Error(`a 150 MB body answered ${one.status}`);
    await settle();
    const afterOne = rssOf(pid);
    const twenty = await Promise.all(
      Array.from({ length: 20 }, () => rawPost(`${red.url}/hooks/sonarr`, { 'content-type': 'text/plain' }, { declared: 150 * MB, send: 150 * MB })),
    );
    if (!twenty.every(refused)) throw new Error('a 150 MB body was not refused');
    await settle();
    const afterTwenty = rssOf(pid);
    return { beforeMB: before / MB, oneMB: (afterOne - before) / MB, twentyMB: (afterTwenty - before) / MB };
  } finally {
    await red.stop();
  }
}

/**
 * What issue 17's attacks cost now, through the example flow's action route with its API token: a
 * 5 MB and a 20 MB binary body (once spread byte by byte: seconds frozen, hundreds of MB), against a
 * small JSON action for an unknown request; and Node-RED's memory after them.
 */
export async function benchActingBodies(dir: string) {
  const userDir = join(dir, 'acting');
  mkdirSync(userDir, { recursive: true });
  const red = await startNodeRed(userDir, { STATUS_DB: join(dir, 'acting.db'), STATUS_API_TOKEN: 'bench-token' });
  try {
    const pid = nodeRedPid(red, true);
    const MB = 1024 * 1024;
    const url = `${red.url}/media-status/api/requests/1/actions/retry`;
    const headers = (type: string) => ({ 'content-type': type, authorization: 'Bearer bench-token' });
    const five = async (run: () => Promise<unknown>) => median(await Promise.all([0, 1, 2, 3, 4].map(() => timed(async () => void (await run())))));
    const small = await five(() => rawPost(url, headers('application/json'), Buffer.from('{"reason":"bench"}')));
    // The answer to a binary body comes on its headers: the sender need not even start on the body.
    const binary = (size: number) => five(() => rawPost(url, headers('application/octet-stream'), { declared: size, send: 0 }));
    const fiveMs = await binary(5 * MB);
    const twentyMs = await binary(20 * MB);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = rssOf(pid);
    // A sender that writes its whole body regardless: Node-RED reads none of it.
    for (const size of [5 * MB, 20 * MB]) {
      const answer = await rawPost(url, headers('application/octet-stream'), { declared: size, send: size });
      // Refused with 415, or the connection closed under the sender before it read the 415.
      if (answer.status !== 415 && answer.status !== 0) throw new Error(`a binary body answered ${answer.status}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { smallMs: small, fiveMs, twentyMs, growthMB: (rssOf(pid) - before) / MB, beforeMB: before / MB };
  } finally {
    await red.stop();
  }
}
