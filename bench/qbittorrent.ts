import { join } from 'node:path';
import { QbitClient } from '../lib/services/qbittorrent/client';
import { QbitPoller } from '../lib/services/qbittorrent/poller';
import { parseWebhook } from '../lib/services/webhooks';
import { StatusStore } from '../lib/store/store';
import { track } from '../lib/tracker/track';
import { FakeQbittorrent } from '../test/fakes/qbittorrent';
import { INTERSTELLAR, movieBodies } from '../test/support/bodies';
import { median } from './stats';

/**
 * One qBittorrent poll cycle with 500 active torrents tracked: the single torrents/info call, and
 * applying its 500 progress events to the store; then, with nothing active, that no request is sent.
 */

const TORRENTS = 500;

export interface QbitBench {
  fetchMs: number;
  applyMs: number;
  requestsPerPoll: number;
  requestsWhenIdle: number;
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

export async function benchQbit(dir: string): Promise<QbitBench> {
  const qbit = new FakeQbittorrent({ username: 'bench', password: 'bench' });
  await qbit.start();
  const store = await StatusStore.open(join(dir, 'qbit.db'));
  try {
    const hashes: string[] = [];
    await Promise.all(
      Array.from({ length: TORRENTS }, (_, i) => {
        const hash = (0x700000 + i).toString(16).toUpperCase().padStart(40, 'E');
        hashes.push(hash);
        qbit.set({ hash, progress: 0.1, state: 'downloading', dlspeed: 1000, eta: 600 });
        const grab = movieBodies({ ...INTERSTELLAR, title: `Poll ${i}`, tmdb: 800000 + i, requestId: 60000 + i, hash }).grab;
        const parsed = parseWebhook(grab, 'radarr');
        if (!parsed.ok) throw new Error(parsed.error);
        return track(store, parsed.event);
      }),
    );
    const poller = new QbitPoller(new QbitClient({ url: qbit.url, username: 'bench', password: 'bench' }));
    await poller.poll(await store.read.activeDownloads(), new Date().toISOString()); // log in, warm up

    const fetchTimes: number[] = [];
    const applyTimes: number[] = [];
    for (let round = 1; round <= 5; round++) {
      for (const hash of hashes) qbit.set({ hash, progress: 0.1 + round * 0.1, state: 'downloading', dlspeed: 1000 * round, eta: 600 - round });
      const before = qbit.infoCalls.length;
      let start = process.hrtime.bigint();
      const events = await poller.poll(await store.read.activeDownloads(), new Date().toISOString());
      fetchTimes.push(ms(start));
      if (qbit.infoCalls.length - before !== 1 || events.length !== TORRENTS) throw new Error('expected one call for all torrents');
      start = process.hrtime.bigint();
      await Promise.all(events.map((event) => track(store, event)));
      applyTimes.push(ms(start));
    }
    for (const hash of hashes) qbit.set({ hash, progress: 1, state: 'stalledUP' });
    await Promise.all((await poller.poll(await store.read.activeDownloads(), new Date().toISOString())).map((e) => track(store, e)));
    const before = qbit.infoCalls.length + qbit.logins.length;
    await poller.poll(await store.read.activeDownloads(), new Date().toISOString());
    return {
      fetchMs: median(fetchTimes),
      applyMs: median(applyTimes),
      requestsPerPoll: 1,
      requestsWhenIdle: qbit.infoCalls.length + qbit.logins.length - before,
    };
  } finally {
    await store.close();
    await qbit.stop();
  }
}
