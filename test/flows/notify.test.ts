import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeNotifiers } from '../fakes/notifiers';
import { INTERSTELLAR, LYCORIS, movieBodies, movieJourney, showBodies, type Hook } from '../support/bodies';
import { clone, fixture, ROOT } from '../support/fixtures';
import { getJson, postHook, startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The notifier examples, imported beside the tracker flow into a real Node-RED and driven by their
 * environment variables, against servers speaking ntfy's, Gotify's, Telegram's, Discord's and Home
 * Assistant's APIs: the exact bodies, escaping and truncation, retries, the digest and the routing.
 */

const dir = tempDir('mst-notify-');
const NOTIFIERS = ['ntfy', 'gotify', 'telegram', 'discord', 'home-assistant'];
const BASE = 'https://media.example';

describe('the notifier examples', () => {
  let fake: FakeNotifiers;
  let red: RunningNodeRed;

  before(async () => {
    fake = await new FakeNotifiers().start();
    const userDir = join(dir, 'node-red');
    mkdirSync(userDir, { recursive: true });
    // Imported as a user would: the tracker, then each notifier (Import > Examples); Telegram's routes kana to her own chat.
    const flows = ['media-status-tracker', ...NOTIFIERS.map((n) => `notify-${n}`)].flatMap((name) =>
      JSON.parse(readFileSync(join(ROOT, 'examples', `${name}.json`), 'utf8')),
    );
    const telegram = flows.find((n: any) => n.type === 'media-notify' && n.format === 'telegram');
    telegram.recipients = 'kana = 777';
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows));
    red = await startNodeRed(userDir, {
      STATUS_DB: join(dir, 'notify.db'),
      STATUS_BASE_URL: BASE,
      NOTIFY_DIGEST_SECONDS: '1',
      NTFY_URL: `${fake.url}/ntfy`,
      NTFY_TOPIC: 'media',
      NTFY_TOKEN: 'tk_ntfytoken',
      GOTIFY_URL: `${fake.url}/gotify`,
      GOTIFY_TOKEN: fake.secrets.gotify,
      TELEGRAM_API_URL: `${fake.url}/telegram`,
      TELEGRAM_BOT_TOKEN: fake.secrets.telegram,
      TELEGRAM_CHAT_ID: '4242',
      DISCORD_WEBHOOK_URL: `${fake.url}/discord/webhooks/1/webhook-token`,
      HA_URL: `${fake.url}/ha`,
      HA_TOKEN: fake.secrets.ha,
      HA_NOTIFY_SERVICE: 'mobile_app_pixel_8',
    });
  });
  after(async () => {
    await red?.stop();
    await fake?.stop();
  });
  beforeEach(() => (fake.deliveries.length = 0));

  async function hooks(list: Hook[]) {
    for (const [source, body] of list) assert.equal((await postHook(red.url, source, body)).status, 200, `${source} ${JSON.stringify(body).slice(0, 80)}`);
  }
  const requestTitled = async (title: string) =>
    ((await getJson(red.url, '/media-status/api/requests?limit=100')).body as any[]).find((r) => r.title === title);

  it('a movie made available: each service gets its own exact body, with the poster and the status page link', async () => {
    const spec = { ...INTERSTELLAR, title: 'Mr. & Mrs. <Smith>', tmdb: 787, requestId: 787, radarrId: 78, hash: '7'.repeat(40) };
    await hooks(movieJourney(spec));
    await fake.until(() => NOTIFIERS.every((s) => fake.of(s as any).length === 1));
    const r = await requestTitled(spec.title);
    const link = `${BASE}/media-status#request-${r.id}`;
    const title = 'Available: Mr. & Mrs. <Smith> (2014)';
    const message = 'Mr. & Mrs. <Smith> (2014) is available';
    const [ntfy] = fake.of('ntfy');
    assert.equal(ntfy?.headers.authorization, 'Bearer tk_ntfytoken');
    assert.deepEqual(ntfy?.body, {
      topic: 'media',
      title,
      message,
      priority: 3,
      tags: ['white_check_mark'],
      click: link,
      attach: r.posterUrl,
      filename: 'poster.jpg',
    });
    assert.deepEqual(fake.of('gotify')[0]?.body, {
      title,
      message,
      priority: 5,
      extras: { 'client::notification': { click: { url: link }, bigImageUrl: r.posterUrl } },
    });
    const [telegram] = fake.of('telegram');
    assert.equal(telegram?.path, `/telegram/bot${fake.secrets.telegram}/sendPhoto`);
    assert.deepEqual(telegram?.body, {
      chat_id: '4242',
      parse_mode: 'HTML',
      disable_notification: false,
      reply_markup: { inline_keyboard: [[{ text: 'Open', url: link }]] },
      photo: r.posterUrl,
      caption: '<b>Available: Mr. &amp; Mrs. &lt;Smith&gt; (2014)</b>\nMr. &amp; Mrs. &lt;Smith&gt; (2014) is available',
    });
    const [discord] = fake.of('discord');
    assert.deepEqual(discord?.body, {
      allowed_mentions: { parse: [] },
      embeds: [
        { title, description: message, url: link, color: 0x2e9e55, thumbnail: { url: r.posterUrl }, timestamp: r.updatedAt, footer: { text: 'media status' } },
      ],
    });
    const [ha] = fake.of('home-assistant');
    assert.equal(ha?.path, '/ha/api/services/notify/mobile_app_pixel_8');
    assert.deepEqual(ha?.body, {
      title,
      message,
      data: { image: r.posterUrl, clickAction: link, url: link, tag: `media-request-${r.id}`, group: 'media-status' },
    });
  });

  it("attention goes at once and at high priority, truncated to each service's limit (ntfy 4,096 bytes, a Telegram caption 1,024 characters)", async () => {
    const spec = { ...INTERSTELLAR, title: 'Blocked Film', tmdb: 788, requestId: 788, radarrId: 79, hash: '8'.repeat(40) };
    const m = movieBodies(spec);
    await hooks([
      ['jellyseerr', m.approved],
      ['radarr', m.grab],
    ]);
    const interaction = clone(fixture('radarr-manual-interaction-required'));
    interaction.movie = m.grab.movie;
    interaction.downloadId = spec.hash;
    interaction.downloadStatusMessages = [{ title: 'x', messages: ['é'.repeat(3900)] }];
    const sent = Date.now();
    await hooks([['radarr', interaction]]);
    await fake.until(() => NOTIFIERS.every((n) => fake.of(n as any).length === 1));
    assert.ok(Math.max(...fake.deliveries.map((d) => d.at)) - sent < 1000, 'not held by the 1 s digest');
    const ntfy = fake.of('ntfy')[0]?.body as any;
    assert.equal(ntfy.priority, 4);
    assert.ok(Buffer.byteLength(ntfy.message) <= 4096, `${Buffer.byteLength(ntfy.message)} bytes`);
    assert.ok(ntfy.message.endsWith('…'));
    const caption = (fake.of('telegram')[0]?.body as any).caption as string;
    const visible = caption
      .replace(/<\/?b>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    assert.ok([...visible].length <= 1024, `${[...visible].length} characters`);
    assert.deepEqual((fake.of('home-assistant')[0]?.body as any)?.data.priority, 'high');
  });

  it('a 429 is retried after its Retry-After; a 400 never', async () => {
    fake.script.set('ntfy', [{ status: 429, headers: { 'retry-after': '1' }, body: { code: 42901, http: 429, error: 'limit reached' } }]);
    // Were a 400 retried, its Retry-After of 0 would bring it back long before ntfy's second try.
    fake.script.set('gotify', [{ status: 400, headers: { 'retry-after': '0' }, body: { error: 'Bad Request', errorCode: 400, errorDescription: 'nope' } }]);
    const spec = { ...INTERSTELLAR, title: 'Retried Film', tmdb: 789, requestId: 789, radarrId: 80, hash: '9'.repeat(40) };
    await hooks(movieJourney(spec));
    await fake.until(() => fake.of('ntfy').length === 2, 15_000, 'the retried ntfy delivery');
    const [first, second] = fake.of('ntfy');
    assert.ok(second!.at - first!.at >= 900, `retried after ${second!.at - first!.at} ms`);
    assert.deepEqual(second?.body, first?.body, 'the same delivery again');
    // By then the 400 would have been retried too: it was not.
    assert.equal(fake.of('gotify').length, 1);
  });

  it('a season pack imported and played is one "season 1 is available" notification; an airing show\'s next episode is "S01E14 is available"', async () => {
    const s = showBodies({ ...LYCORIS, requestId: 300, tvdb: 30000, tmdb: 30001, sonarrId: 300, hash: 'A'.repeat(40) });
    await hooks([
      ['jellyseerr', s.approved],
      ['sonarr', s.grab()],
      ['sonarr', s.importComplete()],
      ...s.numbers.map((n): Hook => ['jellyfin', s.jellyfinEpisode(n)]),
    ]);
    await fake.until(() => fake.of('telegram').length >= 1);
    // Wait past the digest window for anything else it would send.
    await fake.until(() => fake.of('ntfy').length >= 1);
    const texts = fake.of('ntfy').map((d) => (d.body as any).message);
    assert.deepEqual(texts, ['Lycoris Recoil (2022): season 1 is available (13 episodes)']);

    fake.deliveries.length = 0;
    const next = showBodies({ ...LYCORIS, requestId: 300, tvdb: 30000, tmdb: 30001, sonarrId: 300, hash: 'B'.repeat(40), episodes: 14 });
    await hooks([
      ['sonarr', next.grab([14])],
      ['sonarr', next.importFile(14)],
      ['jellyfin', next.jellyfinEpisode(14)],
    ]);
    await fake.until(() => fake.of('ntfy').length >= 1);
    assert.deepEqual(
      fake.of('ntfy').map((d) => [(d.body as any).title, (d.body as any).message]),
      [['New episodes: Lycoris Recoil (2022)', 'Lycoris Recoil: S01E14 is available']],
    );
  });

  it("a request by kana goes to kana's own chat", async () => {
    const spec = { ...INTERSTELLAR, title: 'For Kana', tmdb: 790, requestId: 790, radarrId: 81, hash: 'C'.repeat(40) };
    const journey = movieJourney(spec);
    for (const [source, body] of journey) if (source === 'jellyseerr') (body as any).request.requestedBy_username = 'kana';
    await hooks(journey);
    const about = (service: 'telegram' | 'ntfy') => fake.of(service).filter((d) => JSON.stringify(d.body).includes('For Kana'));
    await fake.until(() => about('telegram').length === 1 && about('ntfy').length === 1);
    assert.equal((about('telegram')[0]?.body as any).chat_id, '777');
    assert.equal((about('ntfy')[0]?.body as any).topic, 'media', 'ntfy has no mapping: the default topic');
  });
});
