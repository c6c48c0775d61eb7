import { join } from 'node:path';
import { ArrClient } from '../lib/services/arr/client';
import { JellyseerrClient } from '../lib/services/jellyseerr/client';
import { parseWebhook } from '../lib/services/webhooks';
import { StatusStore } from '../lib/store/store';
import { ArrSource } from '../lib/services/arr/sync-source';
import { JellyseerrSource } from '../lib/services/jellyseerr/sync-source';
import { MediaSync } from '../lib/sync';
import { DEFAULT_TRACK_OPTIONS, track } from '../lib/tracker/track';
import { FakeArr, FakeJellyseerr, radarrMovie, radarrQueueRecord } from '../test/fakes/arr-apis';
import { INTERSTELLAR, movieBodies } from '../test/support/bodies';
import { countWrites } from '../test/support/store';
import { timed } from './harness';

/**
 * The sync against servers speaking the Jellyseerr and Radarr APIs:
 * - the first sync of 1,000 Jellyseerr requests and a 500-item Radarr queue (time), and the longest
 *   wait of a webhook's event sent through the tracker during it (target < 100 ms), against the same
 *   webhook's wait while idle;
 * - a sync that finds nothing new: HTTP calls made, and write transactions (target 0).
 */

const REQUESTS = 1000;
const QUEUE = 500;

export async function benchSync(dir: string) {
  const jellyseerr = await new FakeJellyseerr().start();
  const radarr = await new FakeArr('radarr').start();
  const store = await StatusStore.open(join(dir, 'sync.db'));
  try {
    for (let i = 1; i <= REQUESTS; i++) {
      const downloading = i <= QUEUE;
      jellyseerr.addRequest({
        id: i,
        type: 'movie',
        tmdbId: 700000 + i,
        status: i % 10 === 0 ? 1 : 2,
        mediaStatus: downloading ? 3 : 2,
        arrId: 9000 + i,
        title: `Sync Movie ${i}`,
      });
      if (downloading) {
        const movie = radarrMovie({ id: 9000 + i, title: `Sync Movie ${i}`, year: 2020, tmdbId: 700000 + i });
        radarr.queue.push(radarrQueueRecord(movie, (0x200000 + i).toString(16).toUpperCase().padStart(40, 'A'), { size: 1000, sizeleft: 1000 - i }));
      }
    }
    const sync = new MediaSync(
      [
        new JellyseerrSource('jellyseerr', new JellyseerrClient({ url: jellyseerr.url, apiKey: 'jellyseerr-key' })),
        new ArrSource({ name: 'radarr', kind: 'radarr', is4k: false }, new ArrClient('radarr', { url: radarr.url, apiKey: 'radarr-key' })),
      ],
      { historyDays: 90, track: DEFAULT_TRACK_OPTIONS },
    );

    // A webhook's event through the tracker, one after another, for as long as `busy` says.
    let n = 0;
    const webhook = async () => {
      const m = movieBodies({
        ...INTERSTELLAR,
        title: `Hook ${n}`,
        tmdb: 800000 + n,
        requestId: 800000 + n,
        hash: (0x300000 + n).toString(16).toUpperCase().padStart(40, 'C'),
      });
      // Jellyseerr knows the requests its webhooks announce.
      jellyseerr.addRequest({ id: 800000 + n, type: 'movie', tmdbId: 800000 + n, status: 1, mediaStatus: 2, title: `Hook ${n}` });
      n++;
      const parsed = parseWebhook(m.pending, 'jellyseerr');
      if (!parsed.ok) throw new Error(parsed.error);
      return timed(() => track(store, parsed.event));
    };
    const longestWhile = async (busy: () => boolean) => {
      let longest = 0;
      while (busy()) {
        longest = Math.max(longest, await webhook());
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return longest;
    };
    let idle = true;
    setTimeout(() => (idle = false), 1000);
    const idleLongest = await longestWhile(() => idle);

    let syncing = true;
    const started = performance.now();
    const first = sync.sync(store).finally(() => (syncing = false));
    const [outcome, duringLongest] = await Promise.all([first, longestWhile(() => syncing)]);
    const firstMs = performance.now() - started;
    if (!outcome.report.ok) throw new Error(JSON.stringify(outcome.report));

    // The requests the webhooks announced are news to the sync once; then nothing is new.
    await sync.sync(store);
    const writes = countWrites(store);
    const calls = jellyseerr.calls.length + radarr.calls.length;
    const quietMs = await timed(() => sync.sync(store));
    // Why each unfinished request waits and when it will be ready, as a sync's news or a page would show them.
    const unfinished = await store.read.listRequests({ activeOnly: true, limit: 1000 });
    const outlookMs = await timed(() => store.outlook.snapshots(unfinished));
    return {
      unfinished: unfinished.length,
      outlookMs,
      firstMs,
      idleLongest,
      duringLongest,
      quietMs,
      quietCalls: jellyseerr.calls.length + radarr.calls.length - calls,
      quietWrites: writes.count,
    };
  } finally {
    await store.close();
    await Promise.all([jellyseerr.stop(), radarr.stop()]);
  }
}

/**
 * A Jellyseerr that lies about paging (the same page again, ever more pages): one sync's calls, time
 * and heap growth, against an honest one with the same three requests.
 */
export async function benchLyingJellyseerr(dir: string) {
  const run = async (lies: FakeJellyseerr['lies']) => {
    const jellyseerr = await new FakeJellyseerr().start();
    const store = await StatusStore.open(join(dir, `lying-${lies ?? 'honest'}.db`));
    try {
      for (let id = 1; id <= 3; id++) jellyseerr.addRequest({ id, type: 'movie', tmdbId: 100 + id, status: 2, mediaStatus: 3 });
      jellyseerr.lies = lies;
      const sync = new MediaSync([new JellyseerrSource('jellyseerr', new JellyseerrClient({ url: jellyseerr.url, apiKey: 'jellyseerr-key' }))], {
        historyDays: 90,
        track: DEFAULT_TRACK_OPTIONS,
      });
      global.gc?.();
      const heap = process.memoryUsage().heapUsed;
      const started = process.hrtime.bigint();
      await sync.sync(store);
      return {
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        calls: jellyseerr.calls.filter((c) => c.includes('/api/v1/request?')).length,
        heapMB: (process.memoryUsage().heapUsed - heap) / 1024 / 1024,
      };
    } finally {
      await store.close();
      await jellyseerr.stop();
    }
  };
  return { honest: await run(undefined), lying: await run('same-page') };
}
