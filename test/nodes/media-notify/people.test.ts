import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PersonSchema } from '../../../lib/people/person';
import type { RequestRecord } from '../../../lib/model';
import type { WebhookSource } from '../../../lib/services/webhooks';
import type { StateChange } from '../../../lib/tracker/messages';
import { INTERSTELLAR, LYCORIS, movieJourney, showBodies } from '../../support/bodies';
import { eventually } from '../../support/eventually';
import { type Body } from '../../support/fixtures';
import { callsOf, helper, loadFlow, nodeOf, storeOf, useSettings } from '../../support/helper';
import { hooks } from '../../support/store';
import { tempDir } from '../../support/tmp';

/**
 * media-notify with the household's people, in a real runtime: each person a request concerns gets its
 * news once through their own address; the old mapping table becomes people; the household's
 * recipient hears only of requests nobody else is told about (with "the requester").
 */

const dir = tempDir();
let db = 0;

describe('media-notify: people', () => {
  beforeEach(() => useSettings({ userDir: dir }));
  afterEach(() => helper.unload());
  after(() => helper.settings({}));

  const flow = (notify: Record<string, unknown> = {}) => [
    { id: 'tab', type: 'tab' },
    { id: 'store', type: 'status-store', path: join(dir, `notify${++db}.db`) },
    {
      id: 'notify',
      z: 'tab',
      type: 'media-notify',
      format: 'ntfy',
      server: 'https://ntfy.example',
      recipient: 'household',
      recipients: 'kana = kana-topic',
      mode: 'requester',
      digestSeconds: '0',
      on_approved: true,
      store: 'store',
      ...notify,
      wires: [['out']],
    },
    { id: 'out', z: 'tab', type: 'helper', wires: [] },
  ];

  /** Webhooks through the tracker into the flow's store; the request the last one changed. */
  const send = async (list: [WebhookSource, Body][]): Promise<RequestRecord> => (await hooks(await storeOf(), list))!.request!;

  /** The state change a request's record reached, as episode-state sends it. */
  async function changeOf(record: RequestRecord, from: StateChange['from']): Promise<StateChange> {
    const [request] = await (await storeOf()).outlook.snapshots([record]);
    return { request: request!, from, to: record.state, summary: '', episodes: [] };
  }

  const kanasMovie = () =>
    send(
      movieJourney(INTERSTELLAR).map(([source, body]): [WebhookSource, Body] => {
        const copy = structuredClone(body);
        if (source === 'jellyseerr') copy.request.requestedBy_username = 'kana';
        return [source, copy];
      }),
    );

  /** What went out: [topic, title] per message, once `count` have. */
  async function sent(count: number): Promise<[string, string][]> {
    const calls = await eventually(`${count} notifications`, () => {
      const list = callsOf(nodeOf('notify'), 'send');
      return list.length >= count && list;
    });
    return calls.map((c) => [c.args[0].payload.topic, c.args[0].payload.title]);
  }

  it('the mapping table becomes people (their moments: the ticks); the requester and a follower each get the news once, the household nothing', async () => {
    await loadFlow(flow());
    const store = await storeOf();
    const kana = await eventually('the table migrated', async () => (await store.people.read.list()).find((p) => p.name === 'kana'));
    assert.deepEqual(
      [kana.addresses, kana.moments],
      [{ ntfy: 'kana-topic' }, ['progress', 'available', 'caught-up', 'episodes', 'first-episode', 'season', 'trouble']],
    );
    const movie = await kanasMovie();
    const adept = await store.people.save(PersonSchema.parse({ name: 'adept', addresses: { ntfy: 'adept-topic', telegram: '42' } }));
    await store.people.follow(adept.id, movie.id, true);
    await store.people.follow(kana.id, movie.id, true);
    nodeOf('notify').receive({ payload: await changeOf(movie, 'IMPORTING') } as never);
    // Then a guest's request (nobody reachable): its household message comes after the movie's people were looked up.
    const guests = structuredClone(showBodies(LYCORIS).approved);
    guests.request.requestedBy_username = 'guest';
    const show = await send([['jellyseerr', guests]]);
    nodeOf('notify').receive({ payload: await changeOf(show, null) } as never);
    assert.deepEqual((await sent(3)).sort(), [
      ['adept-topic', 'Available: Interstellar (2014)'],
      ['household', 'Approved: Lycoris Recoil (2022)'],
      ['kana-topic', 'Available: Interstellar (2014)'],
    ]);
  });

  it('a request whose people have no address here goes to the household\'s recipient; with "both", the household hears of every request', async () => {
    await loadFlow(flow({ recipients: '' }));
    const lycoris = showBodies(LYCORIS);
    const show = await send([
      ['jellyseerr', lycoris.approved],
      ['sonarr', lycoris.grab()],
      ['sonarr', lycoris.importComplete()],
      ...lycoris.numbers.map((n): [WebhookSource, Body] => ['jellyfin', lycoris.jellyfinEpisode(n)]),
    ]);
    const store = await storeOf();
    await store.people.save(PersonSchema.parse({ name: 'adept', addresses: { telegram: '42' } }));
    nodeOf('notify').receive({ payload: await changeOf(show, 'IMPORTING') } as never);
    assert.deepEqual(await sent(1), [['household', 'Available: Lycoris Recoil (2022)']]);
    await helper.unload();

    await loadFlow(flow({ recipients: '', mode: 'both' }));
    const movie = await kanasMovie();
    await (await storeOf()).people.save(PersonSchema.parse({ name: 'kana', addresses: { ntfy: 'kana-topic' } }));
    nodeOf('notify').receive({ payload: await changeOf(movie, 'IMPORTING') } as never);
    assert.deepEqual((await sent(2)).sort(), [
      ['household', 'Available: Interstellar (2014)'],
      ['kana-topic', 'Available: Interstellar (2014)'],
    ]);
  });
});
