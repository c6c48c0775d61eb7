import assert from 'node:assert/strict';
import { downloadRecord } from '../../../support/snapshot';
import { QbitClient } from '../../../../lib/services/qbittorrent/client';
import { QbitPoller } from '../../../../lib/services/qbittorrent/poller';
import { episodeProgress, progressEvent, stageOf, TorrentListSchema } from '../../../../lib/services/qbittorrent/torrents';
import { checkStuck, DEFAULT_STUCK_MINUTES, humanDuration, parseStuckMinutes } from '../../../../lib/tracker/stuck';
import { track, DEFAULT_TRACK_OPTIONS } from '../../../../lib/tracker/track';
import { FakeQbittorrent } from '../../../fakes/qbittorrent';
import { LYCORIS, VIOLET, movieBodies, showBodies, type ShowSpec } from '../../../support/bodies';
import { fixture } from '../../../support/fixtures';
import { nth } from '../../../support/nth';
import { forEachStoreMode, hook } from '../../../support/store';
import { ServiceError } from '../../../../lib/services/http/errors';

describe('qBittorrent payloads', () => {
  it('the reference torrents (5.1.4 and 4.6.7 shapes) parse; states map to stages, 4.x paused* like 5.x stopped*', () => {
    const v5 = TorrentListSchema.parse(fixture('qbittorrent/torrents-info'));
    assert.deepEqual(
      v5.map((t) => stageOf(t)),
      ['DOWNLOADING', 'DOWNLOADED', 'DOWNLOADED', 'DOWNLOADED', 'DOWNLOADING', 'DOWNLOADING', 'DOWNLOADING'],
    );
    const v4 = TorrentListSchema.parse(fixture('qbittorrent/torrents-info-v4'));
    assert.deepEqual(
      v4.map((t) => [t.state, stageOf(t)]),
      [['pausedUP', 'DOWNLOADED']],
    );
    assert.deepEqual(TorrentListSchema.parse(fixture('qbittorrent/torrents-info-empty')), []);
    assert.equal(stageOf({ state: 'error', progress: 0.3 }), 'FAILED');
    assert.equal(stageOf({ state: 'missingFiles', progress: 1 }), 'FAILED');
    assert.equal(stageOf({ state: 'pausedDL', progress: 0.5 }), 'DOWNLOADING');
  });

  it('a progress event: upper-case id, speed and ETA while running, the 8640000 "unknown" ETA left out', () => {
    const torrents = TorrentListSchema.parse(fixture('qbittorrent/torrents-info'));
    const [downloading, seeding, stalled] = [nth(torrents, 0), nth(torrents, 1), nth(torrents, 6)];
    const running = progressEvent(downloading, '2026-01-22T04:10:00.000Z');
    assert.deepEqual(
      { id: running.downloadId, state: running.state, progress: running.progress, eta: running.etaSeconds, speed: running.speed },
      { id: '3F92992E2FBEB6EBB251304236BF5E0B600A91C3', state: 'DOWNLOADING', progress: 0.4213, eta: 1560, speed: downloading.dlspeed },
    );
    const done = progressEvent(seeding, '2026-01-22T04:10:00.000Z');
    assert.deepEqual([done.state, done.progress, done.etaSeconds, done.speed], ['DOWNLOADED', 1, undefined, undefined]);
    assert.equal(progressEvent(stalled, 'x').etaSeconds, undefined, 'stalled with the unknown ETA');
  });

  it("per-episode progress from a pack's file names (a sample file does not make an episode look done)", () => {
    assert.deepEqual(
      episodeProgress([
        { name: 'Show.S01/Show.S01E01.mkv', progress: 1 },
        { name: 'Show.S01/Show.S01E09.mkv', progress: 0.67 },
        { name: 'Show.S01/Sample/Show.S01E09.sample.mkv', progress: 1 },
        { name: 'Show.S01/Show.S01.nfo', progress: 1 },
      ]),
      [
        { episodes: [{ season: 1, episode: 1 }], progress: 1 },
        { episodes: [{ season: 1, episode: 9 }], progress: 0.67 },
      ],
    );
  });
});

describe('qBittorrent client', () => {
  let qbit: FakeQbittorrent;
  before(async () => {
    qbit = new FakeQbittorrent();
    await qbit.start();
    qbit.set({ hash: 'AAAA', progress: 0.5, state: 'downloading' });
  });
  after(() => qbit.stop());

  it('logs in once, sends the session cookie, logs in again when the session expired', async () => {
    const client = new QbitClient({ url: qbit.url, username: 'admin', password: 'adminadmin' });
    assert.deepEqual(
      (await client.torrents(['aaaa', 'ffff'])).map((t) => t.hash),
      ['aaaa'],
    );
    await client.torrents(['AAAA']);
    assert.equal(qbit.logins.length, 1);
    qbit.expireSessions();
    assert.equal((await client.torrents(['AAAA'])).length, 1);
    assert.equal(qbit.logins.length, 2);
  });

  it('a wrong password is an auth error that is believed, not retried on every poll', async () => {
    let clock = 0;
    const before = qbit.logins.length;
    const client = new QbitClient({ url: qbit.url, username: 'admin', password: 'nope', authRetryMs: 60000, now: () => clock });
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        client.torrents(['AAAA']),
        (err: unknown) =>
          err instanceof ServiceError &&
          err.kind === 'unauthorised' &&
          err.service === 'qBittorrent' &&
          err.message === 'qBittorrent refused the username or password',
      );
    }
    assert.equal(qbit.logins.length - before, 1, 'one login attempt for five polls');
    clock = 61000;
    await assert.rejects(client.torrents(['AAAA']));
    assert.equal(qbit.logins.length - before, 2, 'and another once authRetryMs has passed');
  });

  it('an unreachable qBittorrent is an error with the reason, not a crash', async () => {
    const client = new QbitClient({ url: 'http://127.0.0.1:1', username: 'a', password: 'b' });
    await assert.rejects(client.torrents(['AAAA']), (err: unknown) => err instanceof ServiceError && err.kind === 'unreachable');
  });
});

forEachStoreMode((open) => {
  describe('download progress through the tracker', () => {
    let qbit: FakeQbittorrent;
    before(async () => {
      qbit = new FakeQbittorrent();
      await qbit.start();
    });
    after(() => qbit.stop());

    const spec: ShowSpec = { ...LYCORIS, episodes: 13 };
    const single = '5E1C7B3A9F2D4E6C8A0B1D3F5A7C9E2B4D6F8A1C';
    const b = showBodies(spec);
    const packFiles = (progress: (i: number) => number) =>
      b.numbers.slice(0, 12).map((i) => ({ name: `Lycoris.Recoil.S01/Lycoris.Recoil.S01E${String(i).padStart(2, '0')}.mkv`, progress: progress(i) }));

    it('a season pack and a separate episode torrent progress side by side; each is polled until its own completion', async () => {
      const store = await open();
      const grabbedAt = new Date('2026-01-22T03:50:00.000Z');
      await hook(store, 'sonarr', b.grab(b.numbers.slice(0, 12)), DEFAULT_TRACK_OPTIONS, grabbedAt);
      await hook(store, 'sonarr', b.grab([13], single), DEFAULT_TRACK_OPTIONS, grabbedAt);
      const poller = new QbitPoller(new QbitClient({ url: qbit.url, username: 'admin', password: 'adminadmin' }));
      const poll = async (at: string) => {
        for (const event of await poller.poll(await store.read.activeDownloads(), at)) await track(store, event);
        return nth(await store.read.listRequests({ limit: 1 }));
      };

      qbit.set({
        hash: spec.hash,
        progress: 0.4,
        state: 'downloading',
        dlspeed: 5_000_000,
        eta: 900,
        files: packFiles((i) => (i === 1 ? 1 : i === 9 ? 0.67 : 0.3)),
      });
      qbit.set({ hash: single, progress: 0.2, state: 'stalledDL', eta: 8640000 });
      let r = await poll('2026-01-22T04:00:00.000Z');
      assert.equal(r.state, 'DOWNLOADING');
      const pack = r.downloads.find((d) => d.id === spec.hash)!;
      assert.deepEqual([pack.state, pack.progress, pack.speed, pack.etaSeconds], ['DOWNLOADING', 0.4, 5_000_000, 900]);
      assert.deepEqual(
        r.downloads.find((d) => d.id === single),
        downloadRecord({
          id: single,
          progress: 0.2,
          state: 'DOWNLOADING',
          speed: 0,
          instance: 'sonarr',
          clientState: 'stalledDL',
          seeds: 14,
          activeAt: '2026-01-21T15:40:00.000Z',
        }),
      );
      assert.deepEqual(
        [nth(r.episodes).progress, nth(r.episodes, 8).progress, nth(r.episodes, 1).progress, nth(r.episodes, 12).progress],
        [1, 0.67, 0.3, 0.2],
        'E09 67 % while E01 is complete',
      );
      assert.deepEqual(qbit.infoCalls.at(-1)?.sort(), [spec.hash.toLowerCase(), single.toLowerCase()].sort(), 'one call for every active download');

      // The single episode completes first; the pack keeps being polled.
      qbit.set({ hash: single, progress: 1, state: 'stalledUP' });
      qbit.set({ hash: spec.hash, progress: 0.8, state: 'downloading', dlspeed: 4_000_000, eta: 300, files: packFiles(() => 0.8) });
      r = await poll('2026-01-22T04:05:00.000Z');
      assert.equal(nth(r.episodes, 12).state, 'DOWNLOADED');
      assert.equal(r.state, 'DOWNLOADING');
      assert.equal(nth(r.episodes, 8).progress, 0.67, 'files are refreshed at most every 5 polls; the last list is kept');

      qbit.set({ hash: spec.hash, progress: 1, state: 'uploading' });
      r = await poll('2026-01-22T04:10:00.000Z');
      assert.deepEqual(qbit.infoCalls.at(-1), [spec.hash.toLowerCase()], 'the finished torrent is no longer polled');
      assert.equal(r.state, 'DOWNLOADED');
      assert.ok(r.downloads.every((d) => d.state === 'DOWNLOADED' && d.progress === 1 && d.speed === null));
      const calls = qbit.infoCalls.length;
      assert.deepEqual(await store.read.activeDownloads(), []);
      assert.deepEqual(await poller.poll(await store.read.activeDownloads(), 'x'), []);
      assert.equal(qbit.infoCalls.length, calls, 'nothing active: no request at all');

      const timeline = await store.read.timeline(r.id);
      assert.deepEqual(
        timeline.map((t) => [t.event, t.state, t.detail]).slice(2),
        [
          ['download-progress', 'GRABBING', 'downloading, 40 % (downloading)'], // the pack's 12 episodes moved; E13 not yet
          ['download-progress', 'DOWNLOADING', 'downloading, 20 % (stalledDL)'],
          ['download-progress', 'DOWNLOADING', 'download complete'], // E13; the pack's 80 % made no entry
          ['download-progress', 'DOWNLOADED', 'download complete'],
        ],
        'stage changes only, not every percent',
      );
      await store.close();
    });

    it('a torrent already complete the first time it is seen goes straight to DOWNLOADED; an error state fails it', async () => {
      const store = await open();
      const m = movieBodies(VIOLET);
      await hook(store, 'radarr', m.grab);
      const poller = new QbitPoller(new QbitClient({ url: qbit.url, username: 'admin', password: 'adminadmin' }));
      qbit.set({ hash: VIOLET.hash, progress: 1, state: 'stoppedUP' });
      for (const event of await poller.poll(await store.read.activeDownloads(), new Date().toISOString())) await track(store, event);
      assert.equal(nth(await store.read.listRequests({ limit: 1 })).state, 'DOWNLOADED');

      const other = movieBodies({ ...VIOLET, title: 'Broken', tmdb: 424242, requestId: 77, hash: 'DEADBEEFDEADBEEFDEADBEEFDEADBEEFDEADBEEF' });
      await hook(store, 'radarr', other.grab);
      qbit.set({ hash: 'DEADBEEFDEADBEEFDEADBEEFDEADBEEFDEADBEEF', progress: 0.3, state: 'missingFiles' });
      const results = [];
      for (const event of await poller.poll(await store.read.activeDownloads(), new Date().toISOString())) results.push(await track(store, event));
      const failed = results.find((r) => r.request?.title === 'Broken');
      assert.deepEqual([failed?.request?.state, failed?.from, failed?.notify], ['FAILED', 'GRABBING', true]);
      await store.close();
    });

    it('the import arriving before the torrent reports complete: a stale poll moves nothing back', async () => {
      const store = await open();
      const m = movieBodies(VIOLET);
      await hook(store, 'radarr', m.grab);
      await hook(store, 'radarr', m.imported);
      const stale = progressEvent({ hash: VIOLET.hash.toLowerCase(), progress: 0.99, state: 'downloading', dlspeed: 100, eta: 5 }, new Date().toISOString());
      const result = await track(store, stale);
      assert.equal(result.outcome, 'duplicate', 'nothing to change, nothing written');
      const request = nth(await store.read.listRequests({ limit: 1 }));
      assert.equal((await store.read.timeline(request.id)).length, 2);
      assert.equal(request.state, 'IMPORTING');
      assert.deepEqual(request.downloads, [downloadRecord({ id: VIOLET.hash, progress: 1, state: 'DOWNLOADED', instance: 'radarr' })]);
      await store.close();
    });
  });

  describe('stuck detection (injected clock)', () => {
    it("flags a request once after its stage's threshold, from the last progress; progress clears it", async () => {
      const store = await open();
      const b = showBodies({ ...LYCORIS, episodes: 2 });
      await hook(store, 'sonarr', b.grab());
      const request = nth(await store.read.listRequests({ limit: 1 }));
      const t0 = Date.parse(request.progressAt);
      const at = (hours: number) => new Date(t0 + hours * 3600000);

      // Some progress at +0.5 h: the clock restarts from there.
      await track(store, progressEvent({ hash: LYCORIS.hash, progress: 0.1, state: 'downloading', dlspeed: 10, eta: 100 }, at(0.5).toISOString()));
      assert.deepEqual(await checkStuck(store, at(6), DEFAULT_STUCK_MINUTES, DEFAULT_TRACK_OPTIONS), [], 'DOWNLOADING allows 6 h since the last progress');
      const flagged = await checkStuck(store, at(7), DEFAULT_STUCK_MINUTES, DEFAULT_TRACK_OPTIONS);
      assert.equal(flagged.length, 1);
      assert.equal(nth(flagged).notify, true);
      assert.deepEqual(nth(flagged).request?.attention, { kind: 'stuck', reason: 'stuck in DOWNLOADING for 6 h 30 min', since: at(7).toISOString() });
      assert.deepEqual(await checkStuck(store, at(9), DEFAULT_STUCK_MINUTES, DEFAULT_TRACK_OPTIONS), [], 'once');

      const moving = await track(
        store,
        progressEvent({ hash: LYCORIS.hash, progress: 0.2, state: 'downloading', dlspeed: 10, eta: 100 }, at(9.1).toISOString()),
      );
      assert.equal(moving.request?.attention, null, 'progress clears it');
      await store.close();
    });

    it('thresholds are configurable per stage; bad text is refused', () => {
      const parsed = parseStuckMinutes('approved=30, DOWNLOADING = 600');
      assert.ok(parsed.ok);
      assert.deepEqual([parsed.thresholds.APPROVED, parsed.thresholds.DOWNLOADING, parsed.thresholds.GRABBING], [30, 600, 60]);
      assert.deepEqual(parseStuckMinutes('AVAILABLE=5'), {
        ok: false,
        error: 'stuck thresholds: expected STATE=minutes (a stage before AVAILABLE), got "AVAILABLE=5"',
      });
      assert.deepEqual([humanDuration(45 * 60000), humanDuration(3 * 3600000), humanDuration(50 * 3600000)], ['45 min', '3 h', '2 days']);
    });
  });
});
