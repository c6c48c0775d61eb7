import assert from 'node:assert/strict';
import { PersonSchema, type StoredPerson } from '../../../lib/people/person';
import { WeeklyDigests, weekSentence, type WeekSummary } from '../../../lib/people/weekly';
import type { StatusStore } from '../../../lib/store/store';
import { INTERSTELLAR, LYCORIS, movieJourney, showBodies } from '../../support/bodies';
import { FakeClock } from '../../support/clock';
import { Connection } from '../../../lib/store/sqlite';
import { eventually } from '../../support/eventually';
import { forEachStoreMode, hooks } from '../../support/store';

/** The household's people in a real store: saved by name or id, their follows, links and weekly summaries. */

forEachStoreMode((open) => {
  let store: StatusStore;
  beforeEach(async () => (store = await open()));
  afterEach(() => store.close());

  /** Interstellar requested by kana, Lycoris Recoil by adept (the fixtures' requester): both made available. */
  async function household() {
    const movie = movieJourney(INTERSTELLAR).map(([source, body]) => {
      const copy = structuredClone(body) as { request?: { requestedBy_username?: string } };
      if (source === 'jellyseerr' && copy.request) copy.request.requestedBy_username = 'kana';
      return [source, copy] as const;
    });
    const movieRequest = (await hooks(store, movie as never))!.request!;
    const show = showBodies(LYCORIS);
    await hooks(store, [
      ['jellyseerr', show.approved],
      ['sonarr', show.grab()],
      ['sonarr', show.importComplete()],
    ]);
    const showRequest = (await hooks(
      store,
      show.numbers.slice(0, 4).map((n) => ['jellyfin', show.jellyfinEpisode(n)] as const),
    ))!.request!;
    return { movie: movieRequest, show: showRequest };
  }

  it('saves a person by name (again: the same person), by id (a rename), and gives the defaults', async () => {
    const kana = await store.people.save(PersonSchema.parse({ name: 'Kana', addresses: { ntfy: 'kana-topic' } }));
    assert.deepEqual(
      { name: kana.name, moments: kana.moments, addresses: kana.addresses, quiet: kana.quiet },
      { name: 'Kana', moments: ['available', 'first-episode', 'season', 'caught-up', 'trouble'], addresses: { ntfy: 'kana-topic' }, quiet: null },
    );
    const again = await store.people.save(PersonSchema.parse({ name: 'kana', addresses: { telegram: '42' } }));
    assert.equal(again.id, kana.id, 'names compare without case');
    const renamed = await store.people.save(PersonSchema.parse({ name: 'Kana R.' }), kana.id);
    assert.equal(renamed.id, kana.id);
    assert.deepEqual(
      (await store.people.read.list()).map((p) => p.name),
      ['Kana R.'],
    );
    await assert.rejects(store.people.save(PersonSchema.parse({ name: 'x' }), 999), /no person 999/);
    assert.equal(await store.people.remove(kana.id), true);
    assert.equal(await store.people.remove(kana.id), false);
  });

  it("a request's audience: its requester by name and its followers, each once; forgetting the request drops its follows", async () => {
    const { movie, show } = await household();
    const kana = await store.people.save(PersonSchema.parse({ name: 'KANA' }));
    const adept = await store.people.save(PersonSchema.parse({ name: 'adept' }));
    const names = async (id: number) => (await store.people.read.audience(id)).map((p) => p.name);
    assert.deepEqual(await names(movie.id), ['KANA']);
    assert.equal(await store.people.follow(adept.id, movie.id, true), true);
    assert.equal(await store.people.follow(adept.id, movie.id, true), true, 'following twice is following');
    assert.equal(await store.people.follow(kana.id, movie.id, true), true, 'the requester following too is still one');
    assert.deepEqual(await names(movie.id), ['KANA', 'adept']);
    assert.equal(await store.people.follow(adept.id, 9999, true), false, 'no such request');
    assert.deepEqual(await store.people.read.requestsOf(adept), { own: [show.id], followed: [movie.id] });
    assert.equal(await store.people.follow(adept.id, movie.id, false), true);
    assert.deepEqual(await names(movie.id), ['KANA']);
    await store.people.follow(adept.id, movie.id, true);
    assert.equal(await store.forget(movie.id), true);
    assert.deepEqual(await store.people.read.requestsOf(adept), { own: [show.id], followed: [] });
  });

  it('a personal link finds its person until it is revoked; a forged or altered token finds nobody', async () => {
    const adept = await store.people.save(PersonSchema.parse({ name: 'adept' }));
    const one = await store.people.newLink(adept.id);
    const two = await store.people.newLink(adept.id);
    assert.equal((await store.people.byToken(one.token))?.name, 'adept');
    assert.equal(await store.people.byToken(`${one.id}.${'A'.repeat(43)}`), undefined);
    assert.deepEqual((await store.people.read.links(adept.id)).map((l) => l.id).sort(), [one.id, two.id].sort());
    assert.equal(await store.people.revokeLink(adept.id, one.id), true);
    assert.equal(await store.people.byToken(one.token), undefined);
    assert.equal((await store.people.byToken(two.token))?.name, 'adept', 'the other link still works');
    await store.people.remove(adept.id);
    assert.equal(await store.people.byToken(two.token), undefined, 'removing the person revokes their links');
  });

  it("a week's summary counts what became ready among a person's own and followed requests; the weekly digest sends it at their slot", async () => {
    const { movie } = await household();
    const adept = await store.people.save(PersonSchema.parse({ name: 'adept', weekly: { day: 0, at: '18:00' } }));
    const since = new Date(Date.now() - 3600_000).toISOString();
    assert.deepEqual(await store.people.read.week(adept, since), { movies: 0, episodes: 4, titles: ['Lycoris Recoil'] });
    await store.people.follow(adept.id, movie.id, true);
    const week = await store.people.read.week(adept, since);
    assert.deepEqual(week, { movies: 1, episodes: 4, titles: ['Interstellar', 'Lycoris Recoil'] });
    assert.equal(weekSentence(week), 'This week: 1 movie, 4 episodes ready (Interstellar, Lycoris Recoil)');
    assert.deepEqual(await store.people.read.week(adept, new Date(Date.now() + 3600_000).toISOString()), { movies: 0, episodes: 0, titles: [] });

    // Friday noon: the digest is due on Sunday at 18:00, with the seven days before it.
    const clock = new FakeClock(Date.parse('2026-12-04T12:00:00Z'));
    const sent: [string, WeekSummary][] = [];
    const asked: string[] = [];
    const digests = new WeeklyDigests(
      (p: StoredPerson, from: string) => {
        asked.push(from);
        return store.people.read.week(p, since);
      },
      (p, summary) => sent.push([p.name, summary]),
      assert.fail,
      clock,
      'UTC',
    );
    digests.plan(await store.people.read.list());
    clock.advance(54 * 3600_000 - 1000);
    assert.deepEqual(asked, []);
    clock.advance(1000);
    assert.deepEqual(asked, ['2026-11-29T18:00:00.000Z']);
    await eventually('the digest sent', () => sent.length > 0);
    assert.deepEqual(sent, [['adept', week]]);
    assert.equal(clock.pending, 1, 'the next week is planned');
    digests.stop();
    assert.equal(clock.pending, 0);
  });

  it('a person whose stored settings the schema no longer takes is read with the defaults, never an error', async () => {
    const kana = await store.people.save(PersonSchema.parse({ name: 'kana', moments: ['trouble'] }));
    // As a newer version might have written it.
    const other = await Connection.open(store.file);
    await other.run('UPDATE people SET settings = ? WHERE id = ?', ['{"moments":["teleported"]}', kana.id]);
    await other.close();
    const [read] = await store.people.read.list();
    assert.deepEqual([read!.name, read!.moments], ['kana', ['available', 'first-episode', 'season', 'caught-up', 'trouble']]);
  });
});
