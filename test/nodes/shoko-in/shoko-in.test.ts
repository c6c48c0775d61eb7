import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseWebhook } from '../../../lib/services/webhooks';
import { track } from '../../../lib/tracker/track';
import { FakeShokoServer } from '../../fakes/shoko-server';
import { LYCORIS, shokoFile, showBodies, type ShowSpec } from '../../support/bodies';
import { callsOf, helper, loadFlow, nextMessage, nodeOf, placed, statusCalls, storeOf, useSettings } from '../../support/helper';
import type { ShokoServerNode } from '../../../nodes/shared/types';
import { tempDir } from '../../support/tmp';
import { nth } from '../../support/nth';
import { eventually } from '../../support/eventually';
import { FakeClock } from '../../support/clock';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** shoko-in and shoko-server in a real Node-RED runtime, against a hub speaking SignalR's JSON protocol. */

const dir = tempDir();
const RETRY = { initialMs: 30, maxMs: 300, authMs: 500 };
let fake: FakeShokoServer;
let dbCount = 0;

function flow(url: string, options: Record<string, unknown> = {}) {
  return placed([
    { id: 'tab', type: 'tab' },
    { id: 'shoko', type: 'shoko-server', name: 'Shoko', url, apiKeyEnv: '', pathMappings: '', resolveFolders: false, ...options },
    { id: 'store', type: 'status-store', path: join(dir, `shoko${++dbCount}.db`) },
    { id: 'in', z: 'tab', type: 'shoko-in', server: 'shoko', passFile: true, passMetadata: false, wires: [['events', 'state'], ['errors']] },
    { id: 'state', z: 'tab', type: 'episode-state', store: 'store', wires: [[], ['changes'], ['untracked']] },
    { id: 'events', z: 'tab', type: 'helper', wires: [] },
    { id: 'errors', z: 'tab', type: 'helper', wires: [] },
    { id: 'changes', z: 'tab', type: 'helper', wires: [] },
    { id: 'untracked', z: 'tab', type: 'helper', wires: [] },
  ]);
}

/** The status texts so far, in order, without repeats. */
function statusTexts(node: any): string[] {
  const texts = statusCalls(node).map((c: any) => `${c.args[0].fill ?? ''} ${c.args[0].shape ?? ''} ${c.args[0].text ?? ''}`.trim());
  return texts.filter((t: string, i: number) => t !== texts[i - 1]);
}

/** Wait until the node's current (latest) status matches. */
async function waitForStatus(node: any, pattern: RegExp): Promise<void> {
  await eventually(`a status like ${pattern}`, () => pattern.test(statusTexts(node).at(-1) ?? '') || undefined, { everyMs: 20 });
}

describe('Shoko nodes', () => {
  beforeEach(async () => {
    useSettings({ userDir: dir, shokoServerRetry: RETRY });
    fake = new FakeShokoServer({ apiKey: 'shoko-key', pingMs: 200 });
    await fake.start();
  });
  afterEach(async () => {
    await helper.unload();
    await fake.stop();
  });
  after(() => helper.settings({}));

  describe('shoko-in', () => {
    it('without a URL it stays idle with a grey "not configured" and no errors', async () => {
      await loadFlow(flow('${SHOKO_URL_NOT_SET}'));
      const node = helper.getNode('in');
      assert.deepEqual(
        statusCalls(node).map((c: any) => c.args[0]),
        [{ fill: 'grey', shape: 'ring', text: 'shoko-in.status.notConfigured' }],
      );
      assert.equal(callsOf(node, 'error').length, 0);
      assert.equal(fake.negotiations.length, 0);
    });

    it('connects with the API key credential and emits normalised file events; the metadata flood is held back', async () => {
      await loadFlow(flow(fake.url), { shoko: { apiKey: 'shoko-key' } });
      const node = helper.getNode('in');
      await fake.waitForClient();
      await waitForStatus(node, /green dot shoko-in.status.connected/);
      assert.deepEqual(
        fake.negotiations.map((n) => n.apiKey),
        ['shoko-key'],
      );
      const events = helper.getNode('events');
      const received: any[] = [];
      events.on('input', (msg: any) => received.push(msg));
      const got = nextMessage(events);
      fake.send('ShokoEvent:SeriesUpdated', { Source: 'AniDB', Reason: 'Added', SeriesID: 1, ShokoSeriesIDs: [1], Episodes: [] });
      for (let i = 0; i < 5; i++)
        fake.send('ShokoEvent:EpisodeUpdated', { Source: 'AniDB', Reason: 'Added', EpisodeID: i, SeriesID: 1, ShokoEpisodeIDs: [i], ShokoSeriesIDs: [1] });
      fake.send('ShokoEvent:FileHashed', { FileID: 9, FileLocationID: 19, ImportFolderID: 1, RelativePath: 'anime/x.mkv', CrossReferences: [] });
      const msg = await got;
      assert.equal(msg.topic, 'shoko/FileHashed');
      assert.deepEqual([msg.payload.kind, msg.payload.action, msg.payload.fileId], ['shoko-file', 'seen', 9]);
      // Invocations arrive in order: anything passed from the six before would have come first.
      assert.deepEqual(
        received.map((m) => m.topic),
        ['shoko/FileHashed'],
        'the six metadata updates sent before it were not passed',
      );
    });

    it('a malformed event goes to the error output with the reason; the connection stays up', async () => {
      await loadFlow(flow(fake.url), { shoko: { apiKey: 'shoko-key' } });
      await fake.waitForClient();
      const errors = nextMessage(helper.getNode('errors'));
      fake.send('ShokoEvent:FileMatched', { FileID: 'x', ImportFolderID: 1, RelativePath: 'a.mkv', CrossReferences: [] });
      const msg = await errors;
      assert.match(msg.payload.error, /^FileMatched: FileID: expected number, received string/);
      const events = nextMessage(helper.getNode('events'));
      fake.send('ShokoEvent:FileDetected', { ImportFolderID: 1, RelativePath: 'anime/y.mkv' });
      assert.equal((await events).payload.action, 'seen');
      assert.equal(fake.handshakes, 1, 'still the first connection');
    });

    it('a wrong API key: red "auth failed", then tries only every authMs', async () => {
      const clock = new FakeClock();
      useSettings({ userDir: dir, shokoServerRetry: RETRY, mediaStatusClock: clock });
      await loadFlow(flow(fake.url), { shoko: { apiKey: 'not-it' } });
      const node = helper.getNode('in');
      await waitForStatus(node, /red ring shoko-in.status.authFailed/);
      assert.equal(fake.negotiations.length, 1, 'one try, then it waits');
      clock.advance(RETRY.authMs - 1);
      assert.equal(fake.negotiations.length, 1, 'the next try is not due yet');
      for (const tries of [2, 3]) {
        clock.advance(1);
        await eventually(`try ${tries}`, () => fake.negotiations.length === tries, { everyMs: 5 });
        await waitForStatus(node, /red ring shoko-in.status.authFailed/);
        clock.advance(RETRY.authMs - 1);
        assert.equal(fake.negotiations.length, tries, 'nothing before authMs');
      }
      assert.ok(fake.negotiations.every((n) => n.apiKey === 'not-it'));
    });

    it("import folders: Shoko's own paths from its API, explicit path mappings over them; events carry the place", async () => {
      await fake.stop();
      fake = new FakeShokoServer({
        apiKey: 'shoko-key',
        pingMs: 200,
        importFolders: [
          { ID: 3, Name: 'anime', Path: '/srv/anime' },
          { ID: 4, Name: 'movies', Path: '/srv/movies' },
        ],
      });
      await fake.start();
      await loadFlow(flow(fake.url, { resolveFolders: true, pathMappings: '# the arrs see movies elsewhere\n4=/data/anime/movies' }), {
        shoko: { apiKey: 'shoko-key' },
      });
      const server = nodeOf<ShokoServerNode>('shoko');
      await eventually('the import folders', () => server.folders().get(3) === '/srv/anime');
      assert.deepEqual(
        [...server.folders()],
        [
          [3, '/srv/anime'],
          [4, '/data/anime/movies'],
        ],
      );
      const events = nextMessage(helper.getNode('events'));
      fake.send('ShokoEvent:FileHashed', { FileID: 9, ImportFolderID: 4, RelativePath: 'Film (2020)/Film.mkv', CrossReferences: [] });
      assert.equal((await events).payload.folderPath, '/data/anime/movies');
    });

    it('a bad path mapping line is reported', async () => {
      await loadFlow(flow(fake.url, { pathMappings: 'one=/data' }), { shoko: { apiKey: 'shoko-key' } });
      const server = nodeOf<ShokoServerNode>('shoko');
      assert.match(String(callsOf(server, 'error').find(() => true)?.args[0]), /^path mappings, line 1: expected "<import folder id>=<path>"/);
    });

    it('the API key from an environment variable named in the config node', async () => {
      process.env.MST_SHOKO_KEY = 'shoko-key';
      try {
        await loadFlow(flow(fake.url, { apiKeyEnv: 'MST_SHOKO_KEY' }));
        await waitForStatus(helper.getNode('in'), /green dot/);
      } finally {
        delete process.env.MST_SHOKO_KEY;
      }
    });
  });

  describe('shoko-in -> episode-state', () => {
    const show: ShowSpec = {
      ...LYCORIS,
      episodes: 4,
      title: 'Mid Season',
      tvdb: 515151,
      tmdb: 525252,
      requestId: 300,
      hash: 'ABABABABABABABABABABABABABABABABABABABAB',
    };
    const b = showBodies(show);

    async function hooks(bodies: [string, unknown][]) {
      const store = await storeOf();
      for (const [source, body] of bodies) {
        const parsed = parseWebhook(body, source as 'sonarr');
        assert.ok(parsed.ok);
        await track(store, parsed.event);
      }
      return store;
    }

    it('the hub killed and restarted mid-season: status shows each step; events after the restart are applied', async () => {
      await loadFlow(flow(fake.url), { shoko: { apiKey: 'shoko-key' } });
      const node = helper.getNode('in');
      await fake.waitForClient();
      const store = await hooks([
        ['sonarr', b.grab()],
        ['sonarr', b.importComplete()],
      ]);
      const changes = helper.getNode('changes');
      const changed: any[] = [];
      changes.on('input', (msg: any) => changed.push(msg));
      const file = (i: number) => shokoFile(b.file(i).path, 6000 + i);

      const [t1, a1] = file(1).matched();
      fake.send(t1, a1);
      // One episode of four matched: the request (as far as its slowest episode) does not change yet.
      await eventually('episode 1 matching', async () => (await store.read.getRequest(1))?.episodes[0]?.state === 'ANIME_MATCHING');
      assert.deepEqual(changed, []);

      await fake.kill();
      await waitForStatus(node, /yellow ring shoko-in.status.reconnecting/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await fake.restart();
      await fake.waitForClient();
      await waitForStatus(node, /green dot shoko-in.status.connected/);
      const steps = statusTexts(node);
      const seq = steps.map((t) => (/connected$/.test(t) ? 'connected' : /reconnecting/.test(t) ? 'reconnecting' : /connecting/.test(t) ? 'connecting' : t));
      assert.deepEqual(seq.slice(0, 3), ['connecting', 'connected', 'reconnecting']);
      assert.equal(seq[seq.length - 1], 'connected');

      const all = new Promise<any>((resolve) => {
        changes.on('input', (msg: any) => {
          if (msg.payload.to === 'ANIME_MATCHING') resolve(msg);
        });
      });
      for (const i of [2, 3, 4]) {
        const [target, argument] = file(i).matched();
        fake.send(target, argument);
      }
      const done = await all;
      assert.equal(done.payload.summary, 'Mid Season (2022): 4/4 episodes matching in Shoko');
      const request = nth(await store.read.listRequests({ limit: 1 }));
      assert.deepEqual(
        request.episodes.map((e: { shokoFileId: number | null }) => e.shokoFileId),
        [6001, 6002, 6003, 6004],
      );
    });
  });
});
