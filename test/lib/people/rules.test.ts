import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { peopleFromSetting } from '../../../lib/people/from-file';
import { tempDir } from '../../support/tmp';
import { linkIdOf, newLink, newLinkKey } from '../../../lib/people/links';
import { momentsOf, wantedBy } from '../../../lib/people/moments';
import { nextWeekly, quietUntil } from '../../../lib/people/hours';
import { PersonSchema, type StoredPerson } from '../../../lib/people/person';
import { PersonalRouter } from '../../../lib/people/router';
import { newsOf, type News } from '../../../lib/notify/news';
import { INTERSTELLAR, LYCORIS, movieJourney, showBodies } from '../../support/bodies';
import { FakeClock } from '../../support/clock';
import { event, run } from '../../support/events';
import { snapshotOf } from '../../support/snapshot';
import type { RequestRecord } from '../../../lib/model';

/** A person's rules, on their own: moments, quiet hours, the weekly slot, personal links, and the router on a fake clock. */

const person = (id: number, fields: Partial<StoredPerson> = {}): StoredPerson => ({
  ...PersonSchema.parse({ name: `person ${id}` }),
  id,
  updatedAt: '2026-12-01T00:00:00.000Z',
  ...fields,
});

const lycoris = showBodies(LYCORIS);
/** The show with its first `n` episodes made available by Jellyfin, and that change's news. */
function showWith(n: number, already = 0): News[] {
  const events = [event('jellyseerr', lycoris.approved), event('sonarr', lycoris.grab()), event('sonarr', lycoris.importComplete())];
  for (let i = 1; i <= already; i++) events.push(event('jellyfin', lycoris.jellyfinEpisode(i)));
  const before: RequestRecord = run(events);
  for (let i = already + 1; i <= n; i++) events.push(event('jellyfin', lycoris.jellyfinEpisode(i)));
  const after = run(events);
  const episodes = after.episodes.filter((e, i) => e.state === 'AVAILABLE' && before.episodes[i]!.state !== 'AVAILABLE');
  return newsOf({
    request: { ...snapshotOf(after), id: 1 },
    from: before.state,
    to: after.state,
    summary: '',
    episodes: episodes.map(({ season, episode, title }) => ({ season, episode, title })),
  });
}

describe('people: their moments', () => {
  it('a show: its first episode, each episode, a season complete and caught up are moments of their own', () => {
    assert.deepEqual(showWith(1).flatMap(momentsOf).sort(), ['episodes', 'first-episode']);
    assert.deepEqual(showWith(5, 1).flatMap(momentsOf).sort(), ['episodes']);
    // The last episodes of the only season: the season is complete and the show caught up.
    assert.deepEqual(showWith(13, 12).flatMap(momentsOf).sort(), ['available', 'caught-up', 'episodes', 'season']);
  });

  it('a movie ready is "available"; a failure is "trouble"; a person gets only the moments they chose', () => {
    const movie = run(movieJourney(INTERSTELLAR).map(([source, body]) => event(source as never, body)));
    const news = newsOf({ request: { ...snapshotOf(movie), id: 2 }, from: 'IMPORTING', to: 'AVAILABLE', summary: '', episodes: [] });
    assert.deepEqual(news.flatMap(momentsOf), ['available']);
    const failed = { ...news[0]!, kind: 'failed' as const };
    assert.deepEqual(momentsOf(failed), ['trouble']);
    assert.deepEqual(wantedBy({ moments: ['trouble'] }, [...news, failed]), [failed]);
    assert.deepEqual(wantedBy({ moments: ['episodes'] }, news), []);
  });
});

describe('people: hours', () => {
  const at = (iso: string) => Date.parse(iso);

  it('quiet hours across midnight hold until they end, in the household time zone', () => {
    const quiet = { from: '22:00', to: '07:00', urgent: true };
    assert.equal(quietUntil(at('2026-12-04T23:30:15Z'), quiet, 'UTC'), at('2026-12-05T07:00:00Z'));
    assert.equal(quietUntil(at('2026-12-05T06:59:00Z'), quiet, 'UTC'), at('2026-12-05T07:00:00Z'));
    assert.equal(quietUntil(at('2026-12-05T07:00:00Z'), quiet, 'UTC'), undefined);
    assert.equal(quietUntil(at('2026-12-05T12:00:00Z'), quiet, 'UTC'), undefined);
    // 21:30 UTC is 22:30 in Berlin (winter): quiet there until 07:00 Berlin, 06:00 UTC.
    assert.equal(quietUntil(at('2026-12-04T21:30:00Z'), quiet, 'Europe/Berlin'), at('2026-12-05T06:00:00Z'));
    assert.equal(quietUntil(at('2026-12-04T21:30:00Z'), null, 'UTC'), undefined);
    // Unless a person says so, quiet hours hold failures and attention too.
    assert.equal(PersonSchema.parse({ name: 'a', quiet: { from: '22:00', to: '07:00' } }).quiet?.urgent, false);
  });

  it('the weekly slot is the next of its day and time, a week on once it has passed', () => {
    // 2026-12-04 is a Friday.
    const sunday = { day: 0, at: '18:00' };
    assert.equal(nextWeekly(at('2026-12-04T12:00:00Z'), sunday, 'UTC'), at('2026-12-06T18:00:00Z'));
    assert.equal(nextWeekly(at('2026-12-06T18:00:00Z'), sunday, 'UTC'), at('2026-12-13T18:00:00Z'));
    assert.equal(nextWeekly(at('2026-12-06T17:59:30Z'), sunday, 'UTC'), at('2026-12-06T18:00:00Z'));
  });
});

describe('people: personal links', () => {
  it('a token carries its link id under the key; another key, a changed character or garbage carries none', () => {
    const key = newLinkKey();
    const { id, token } = newLink(key);
    assert.equal(linkIdOf(token, key), id);
    assert.equal(linkIdOf(token, newLinkKey()), undefined);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    assert.equal(linkIdOf(token.slice(0, -1) + last, key), undefined);
    assert.equal(linkIdOf(id, key), undefined);
    assert.equal(linkIdOf('../../etc/passwd', key), undefined);
    assert.notEqual(newLink(key).token, token);
  });
});

describe('people: the router', () => {
  const clock = new FakeClock(Date.parse('2026-12-04T23:00:00Z'));
  const sent: [string, string[]][] = [];
  const router = new PersonalRouter((p, news) => sent.push([p.name, news.map((n) => n.kind)]), assert.fail, clock, 'UTC');
  const sleeper = person(1, { name: 'sleeper', quiet: { from: '22:00', to: '07:00', urgent: false } });
  const urgentOk = person(2, { name: 'night owl', quiet: { from: '22:00', to: '07:00', urgent: true } });
  const awake = person(3, { name: 'awake', moments: ['episodes'] });
  const episodes = showWith(1);
  const trouble: News[] = [{ ...episodes[0]!, kind: 'attention' }];
  beforeEach(() => (sent.length = 0));

  it('each person once, with the moments they chose; quiet hours hold news until they end, urgent news as each person says', () => {
    router.route([sleeper, urgentOk, awake, awake], [...episodes, ...trouble]);
    assert.deepEqual(sent, [
      ['night owl', ['attention']],
      ['awake', ['episodes']],
    ]);
    assert.equal(router.waiting(), 2);
    clock.advance(7 * 3600_000 + 59 * 60_000);
    assert.equal(sent.length, 2, 'nothing before 07:00');
    clock.advance(60_000);
    // At 07:00: the sleeper's two pieces as one notification (one request), the night owl's episode.
    assert.deepEqual(sent.slice(2), [
      ['sleeper', ['episodes', 'attention']],
      ['night owl', ['episodes']],
    ]);
    assert.equal(router.waiting(), 0);
  });

  it('outside quiet hours everything wanted goes at once; a flush sends what waits', () => {
    clock.time = Date.parse('2026-12-05T12:00:00Z');
    router.route([sleeper], episodes);
    assert.deepEqual(sent, [['sleeper', ['episodes']]]);
    clock.time = Date.parse('2026-12-05T23:00:00Z');
    router.route([sleeper], trouble);
    assert.equal(sent.length, 1);
    router.flush();
    assert.deepEqual(sent[1], ['sleeper', ['attention']]);
    assert.equal(clock.pending, 0, 'the flush cancels its timer');
  });
});

describe('people: by file', () => {
  it('MEDIA_STATUS_PEOPLE: JSON or a file of it, checked by the schema; an error names the path, never the text', () => {
    const dir = tempDir();
    const file = join(dir, 'people.json');
    writeFileSync(file, JSON.stringify([{ name: 'adept', addresses: { ntfy: 'adept-topic' } }]));
    const fromFile = peopleFromSetting(file);
    assert.ok(fromFile.ok);
    assert.deepEqual([fromFile.people[0]!.name, fromFile.people[0]!.addresses], ['adept', { ntfy: 'adept-topic' }]);
    assert.deepEqual(peopleFromSetting(undefined), { ok: true, people: [] });
    assert.deepEqual(peopleFromSetting('[{"name": "kana", "quiet": {"from": "7pm", "to": "07:00"}}]'), {
      ok: false,
      error: 'MEDIA_STATUS_PEOPLE: [0].quiet.from: a time of day as HH:MM',
    });
    const secret = 'https://discord.com/api/webhooks/1/secret-token';
    assert.deepEqual(peopleFromSetting(`[{"name": "kana", "addresses": {"discord": "${secret}"}`), { ok: false, error: 'MEDIA_STATUS_PEOPLE: not valid JSON' });
    const missing = peopleFromSetting(join(dir, 'nowhere.json'));
    assert.ok(!missing.ok && missing.error.startsWith('MEDIA_STATUS_PEOPLE: ENOENT'));
  });
});
