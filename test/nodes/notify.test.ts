import assert from 'node:assert/strict';
import { callsOf, helper, lastStatus, loadFlow, nextMessage, placed, useSettings } from '../support/helper';
import { tempDir } from '../support/tmp';

/** media-notify in a real runtime: idle without what its service needs, a bad mapping named, a bad input refused. */

const dir = tempDir();

describe('media-notify', () => {
  beforeEach(() => useSettings({ userDir: dir }));
  afterEach(() => helper.unload());
  after(() => helper.settings({}));

  const flow = (notify: Record<string, unknown>) =>
    placed([
      { id: 'tab', type: 'tab' },
      { id: 'notify', z: 'tab', type: 'media-notify', digestSeconds: '0', ...notify, wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper', wires: [] },
      { id: 'catch', z: 'tab', type: 'catch', scope: ['notify'], uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper', wires: [] },
      { id: 'complete', z: 'tab', type: 'complete', scope: ['notify'], uncaught: false, wires: [['completed']] },
      { id: 'completed', z: 'tab', type: 'helper', wires: [] },
    ]);
  const change = {
    request: {
      id: 3,
      title: 'Interstellar',
      year: 2014,
      mediaType: 'movie',
      state: 'AVAILABLE',
      requestedBy: 'kana',
      posterUrl: null,
      attention: null,
      episodes: [],
      removedAt: null,
      availableAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    },
    from: 'IMPORTING',
    to: 'AVAILABLE',
    summary: 'Interstellar (2014): ready to watch',
    episodes: [],
  };

  it('without what its service needs it is grey and idle: nothing goes out', async () => {
    await loadFlow(flow({ format: 'ntfy', server: '${NOT_SET}', recipient: '' }));
    assert.deepEqual(lastStatus(helper.getNode('notify')), { fill: 'grey', shape: 'ring', text: 'media-notify.status.notConfigured' });
    const completed = nextMessage(helper.getNode('completed'));
    helper.getNode('notify').receive({ payload: change });
    // Done with the message (the complete node says so), and nothing went out.
    await completed;
    assert.equal(callsOf(helper.getNode('notify'), 'send').length, 0);
  });

  it('routes by requester, and says which mapping line it cannot read', async () => {
    await loadFlow(flow({ format: 'ntfy', server: 'https://ntfy.example', recipient: 'all', recipients: 'kana = kana-topic\nnonsense', mode: 'both' }));
    assert.equal(lastStatus(helper.getNode('notify')).fill, 'red');
    assert.match(String(callsOf(helper.getNode('notify'), 'error')[0]?.args[0]), /recipients, line 2: expected "requester = recipient", got "nonsense"/);
    await helper.unload();
    await loadFlow(flow({ format: 'ntfy', server: 'https://ntfy.example', recipient: 'all', recipients: 'kana = kana-topic', mode: 'both' }));
    const first = nextMessage(helper.getNode('out'));
    helper.getNode('notify').receive({ payload: change });
    const msg = await first;
    assert.deepEqual(
      [msg.url, msg.method, msg.recipient, msg.payload.topic, msg.payload.title],
      ['https://ntfy.example/', 'POST', 'kana-topic', 'kana-topic', 'Available: Interstellar (2014)'],
    );
  });

  it('a message that is not a state change ends in done(err) for a Catch node', async () => {
    await loadFlow(flow({ format: 'generic' }));
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('notify').receive({ payload: { request: { id: 'x' } } });
    // The helper runtime has no message catalogs: the key stands for "not a state change from episode-state: <zod's path and message>".
    assert.match((await caught).error.message, /media-notify\.errors\.notAChange/);
  });
});
