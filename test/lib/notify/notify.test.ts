import assert from 'node:assert/strict';
import { Coalesced } from '../../../lib/coalesce';
import { Digest } from '../../../lib/notify/digest';
import { format } from '../../../lib/notify/formats';
import { isPublicUrl, truncateBytes } from '../../../lib/notify/text';
import { newsOf, notificationOf, type News } from '../../../lib/notify/news';
import { parseRecipients, recipientsFor } from '../../../lib/notify/route';
import type { RequestSnapshot } from '../../../lib/snapshot-schema';
import { stateChangeOf } from '../../../lib/tracker/messages';
import { LYCORIS, showBodies } from '../../support/bodies';
import { FakeClock } from '../../support/clock';
import { event, run } from '../../support/events';
import { reduce } from '../../../lib/tracker/reduce';
import { FIXED_VIEW, snapshotOf } from '../../support/snapshot';

/** media-notify's pieces: which news, one notification from several, who gets it, each service's shape and limits. */

const OFF = { availableOnImport: false, availableOnShokoMatch: false };
const s = showBodies(LYCORIS);

function movie(overrides: Partial<RequestSnapshot> = {}): RequestSnapshot {
  const record = run([event('jellyseerr', showBodies({ ...LYCORIS, requestId: 9 }).approved)]);
  return { ...snapshotOf(record), mediaType: 'movie', title: 'Mr. & Mrs. <Smith>', year: 2005, episodes: [], requestedBy: 'kana', ...overrides };
}

describe('notifications', () => {
  it('a season pack made available, episode by episode, digests to one "season 1 is available (13 episodes)"', () => {
    let record = run([event('jellyseerr', s.approved), event('sonarr', s.grab()), event('sonarr', s.importComplete())]);
    const news: News[] = [];
    for (const n of s.numbers) {
      const result = reduce(record, event('jellyfin', s.jellyfinEpisode(n)), OFF);
      record = result.record;
      const change = stateChangeOf({ outcome: 'changed', request: record, from: result.from, notify: true, episodes: result.becameAvailable }, FIXED_VIEW);
      assert.ok(change);
      news.push(...newsOf(change.payload));
    }
    assert.deepEqual(
      news.map((n) => n.kind),
      [...Array(12).fill('episodes'), 'available'],
    );
    const one = notificationOf(news, 'https://media.example');
    assert.equal(one.kind, 'available');
    assert.equal(one.title, 'Available: Lycoris Recoil (2022)');
    assert.equal(one.message, 'Lycoris Recoil (2022): season 1 is available (13 episodes)');
    assert.equal(one.url, `https://media.example/media-status#request-${record.id}`);
    // Some episodes only: ranges.
    const some = notificationOf(
      news.filter((n) => [1, 2, 3, 7].includes(n.episodes[0]?.episode ?? 0)),
      'https://media.example',
    );
    assert.equal(some.message, 'Lycoris Recoil: S01E01-E03, E07 are available');
  });

  it("routing: the requester's recipient, everyone's, or both; a bad mapping line is an error naming it", () => {
    const parsed = parseRecipients('# who gets what\nadept = 12345\nKana: topic-kana\n');
    assert.ok(parsed.ok);
    assert.deepEqual(recipientsFor('kana', parsed.map, 'all', 'requester'), ['topic-kana']);
    assert.deepEqual(recipientsFor('stranger', parsed.map, 'all', 'requester'), ['all']);
    assert.deepEqual(recipientsFor('adept', parsed.map, 'all', 'everyone'), ['all']);
    assert.deepEqual(recipientsFor('adept', parsed.map, 'all', 'both'), ['12345', 'all']);
    assert.deepEqual(parseRecipients('adept'), { ok: false, error: 'recipients, line 1: expected "requester = recipient", got "adept"' });
  });

  it("the digest holds a request's news for its window; attention and failures go at once", () => {
    const sent: string[][] = [];
    const clock = new FakeClock();
    const failOnError = (err: Error) => assert.fail(err);
    const digest = new Digest(300, (news) => sent.push(news.map((n) => n.kind)), failOnError, clock);
    const r = movie({ id: 1 });
    digest.add([{ kind: 'downloading', request: r, episodes: [] }]);
    digest.add([{ kind: 'attention', request: r, episodes: [] }]);
    clock.advance(100);
    digest.add([{ kind: 'available', request: r, episodes: [] }]);
    clock.advance(250);
    assert.deepEqual(sent, [['attention']], 'attention at once; the rest waits while news keeps coming');
    clock.advance(50);
    assert.deepEqual(sent, [['attention'], ['downloading', 'available']]);
    const off = new Digest(0, (news) => sent.push(news.map((n) => n.kind)), failOnError, clock);
    off.add([{ kind: 'approved', request: r, episodes: [] }]);
    assert.deepEqual(sent.at(-1), ['approved']);
  });

  it('the digest waits at most ten windows while news keeps coming; what its send throws goes to its error handler, never out of the timer', () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    const errors: string[] = [];
    const digest = new Digest(
      100,
      (news) => {
        sent.push(news.length);
        throw new Error('the format broke');
      },
      (err) => errors.push(err.message),
      clock,
    );
    const r = movie({ id: 2 });
    for (let i = 0; i < 30; i++) {
      digest.add([{ kind: 'episodes', request: r, episodes: [] }]);
      clock.advance(90);
    }
    assert.deepEqual(sent.slice(0, 1), [12], 'released after ten windows (1,000 ms), with the twelve that came by then');
    assert.deepEqual(errors.slice(0, 1), ['the format broke']);
    assert.equal(clock.pending, 1);
  });

  it('coalesced work: asked 20 times within its period it runs once now and once at the period end; never more', () => {
    const clock = new FakeClock();
    let runs = 0;
    const republish = new Coalesced(30_000, () => runs++, clock);
    for (let i = 0; i < 20; i++) {
      republish.request();
      clock.advance(50);
    }
    assert.equal(runs, 1);
    clock.advance(30_000);
    assert.equal(runs, 2, 'the last ask is not lost');
    clock.advance(60_000);
    assert.equal(runs, 2);
    republish.request();
    assert.equal(runs, 3, 'past the period: at once');
    republish.request();
    republish.stop();
    clock.advance(60_000);
    assert.equal(runs, 3, 'stopped: nothing more');
  });

  it("each service's shape: Telegram HTML escaped within 1,024 caption characters, ntfy within 4,096 bytes, Discord embed limits, trouble at high priority", () => {
    const poster = 'https://image.tmdb.org/t/p/w600_and_h900_bestv2/poster.jpg';
    const long = 'é'.repeat(5000);
    const n = {
      ...notificationOf(
        [{ kind: 'attention', request: movie({ posterUrl: poster, attention: { kind: 'stuck', reason: long, since: 'x' } }), episodes: [] }],
        'https://media.example',
      ),
    };
    assert.equal(n.priority, 'high');
    const tg = format('telegram', n, { token: 'TOKEN', recipient: '12345' });
    assert.equal(tg.url, 'https://api.telegram.org/botTOKEN/sendPhoto');
    const caption = (tg.payload as { caption: string }).caption;
    assert.ok(caption.startsWith('<b>Needs attention: Mr. &amp; Mrs. &lt;Smith&gt; (2005)</b>\n'));
    const visible = caption
      .replace(/<\/?b>/g, '')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
    assert.ok([...visible].length <= 1024, `caption of ${[...visible].length} characters`);
    assert.deepEqual((tg.payload as { reply_markup: unknown }).reply_markup, { inline_keyboard: [[{ text: 'Open', url: n.url }]] });

    const ntfy = format('ntfy', n, { server: 'https://ntfy.example', recipient: 'media', token: 'tk_x' });
    const body = ntfy.payload as { message: string; priority: number; attach: string; click: string };
    assert.ok(Buffer.byteLength(body.message) <= 4096);
    assert.deepEqual(
      [ntfy.url, ntfy.headers?.authorization, body.priority, body.attach, body.click],
      ['https://ntfy.example/', 'Bearer tk_x', 4, poster, n.url],
    );

    const discord = format('discord', n, { server: 'https://discord.com/api/webhooks/1/abc' });
    const embed = (discord.payload as { embeds: { title: string; description: string; thumbnail: unknown }[] }).embeds[0]!;
    assert.ok([...embed.description].length <= 4096 && [...embed.title].length <= 256);
    assert.deepEqual(embed.thumbnail, { url: poster });
    assert.deepEqual((discord.payload as { allowed_mentions: unknown }).allowed_mentions, { parse: [] });

    // A LAN status page: no button Telegram would refuse, the link stays in the text's place.
    const lan = format('telegram', { ...n, url: 'http://127.0.0.1:1880/media-status#request-1', imageUrl: null }, { token: 'T', recipient: '1' });
    assert.equal(lan.url, 'https://api.telegram.org/botT/sendMessage');
    assert.equal((lan.payload as { reply_markup?: unknown }).reply_markup, undefined);
    assert.equal(isPublicUrl('http://jellyfin:8096/x'), false);
    assert.equal(truncateBytes('ééé', 5), 'é…');
  });
});
