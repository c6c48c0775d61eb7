import assert from 'node:assert/strict';
import { checkEvent } from '../../lib/event-check';
import { MAX_EPISODES, MediaEventSchema } from '../../lib/events';
import { parseWebhook } from '../../lib/services/webhooks';
import { formatIssues } from '../../lib/services/http/schema-helpers';
import { LYCORIS, showBodies } from '../support/bodies';

/** A normalised Sonarr grab of a season of `episodes` episodes, as JSON (what a flow may hand over). */
function longGrab(episodes: number): Record<string, unknown> & { episodes: Record<string, unknown>[] } {
  const parsed = parseWebhook(showBodies({ ...LYCORIS, episodes }).grab(), 'sonarr');
  assert.ok(parsed.ok);
  return JSON.parse(JSON.stringify(parsed.event));
}

/** The check's verdict as a flow sees it: the event, or the error's text. */
async function verdicts(value: unknown): Promise<[unknown, unknown]> {
  const once = MediaEventSchema.safeParse(value);
  const inTurns = await checkEvent(value);
  const seen = (r: typeof once) => (r.success ? r.data : formatIssues(r.error));
  return [seen(inTurns), seen(once)];
}

describe('event check', () => {
  it("a long show's event is the schema's own, checked a thousand episodes a turn with other work between", async () => {
    const grab = longGrab(2500);
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    const checked = await checkEvent(grab);
    assert.ok(otherWorkRan, 'work queued before the check ran before it was done');
    assert.ok(checked.success);
    assert.deepEqual(checked.data, MediaEventSchema.parse(grab));
    assert.deepEqual(Object.keys(checked.data), Object.keys(MediaEventSchema.parse(grab)));
    assert.equal((checked.data as { episodes: unknown[] }).episodes.length, 2500);
  });

  it('refuses what the schema refuses, with its issues: a bad episode deep in the list, a bad field, too many episodes', async () => {
    const badEpisode = longGrab(2500);
    badEpisode.episodes[1700]!.season = -1;
    const [seen, once] = await verdicts(badEpisode);
    assert.equal(seen, once);
    assert.match(String(seen), /episodes\[1700\]\.season/);

    const badField = { ...longGrab(1500), at: 'yesterday' };
    assert.deepEqual(...(await verdicts(badField)));
    assert.match(String((await verdicts(badField))[0]), /^at: /);

    const grab = longGrab(2);
    const tooMany = { ...grab, episodes: Array.from({ length: MAX_EPISODES + 1 }, () => grab.episodes[0]) };
    const [manySeen, manyOnce] = await verdicts(tooMany);
    assert.equal(manySeen, manyOnce);
    assert.match(String(manySeen), /episodes: Too big/);
  });

  it('an event of a kind without episodes loses a long list as the schema drops it', async () => {
    const approved = parseWebhook(showBodies(LYCORIS).approved, 'jellyseerr');
    assert.ok(approved.ok);
    const withList = { ...approved.event, episodes: longGrab(1500).episodes };
    const [seen, once] = await verdicts(withList);
    assert.deepEqual(seen, once);
    assert.ok(!('episodes' in (seen as object)));
  });
});
