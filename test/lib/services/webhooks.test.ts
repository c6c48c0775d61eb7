import assert from 'node:assert/strict';
import type { MediaEvent } from '../../../lib/events';
import { MediaEventSchema } from '../../../lib/events';
import { episodesInFileName } from '../../../lib/episode-numbers';
import { detectSource, parseWebhook, type WebhookSource } from '../../../lib/services/webhooks';
import { LYCORIS, showBodies } from '../../support/bodies';
import { clone, fixture, fixtureText } from '../../support/fixtures';
import { nth } from '../../support/nth';

const NOW = new Date('2026-01-22T04:00:00.000Z');

function parse(body: unknown, source: WebhookSource | 'auto' = 'auto'): MediaEvent {
  const result = parseWebhook(body, source, NOW);
  if (!result.ok) assert.fail(`expected a valid body, got ${result.statusCode}: ${result.error}`);
  assert.ok(MediaEventSchema.safeParse(result.event).success, 'the normalised event satisfies the MediaEvent schema');
  return result.event;
}

function reject(body: unknown, source: WebhookSource | 'auto' = 'auto'): string {
  const result = parseWebhook(body, source, NOW);
  assert.equal(result.ok, false, 'expected the body to be rejected');
  return (result as { error: string }).error;
}

describe('webhook sources: every event type in the reference', () => {
  const expected: [string, WebhookSource, MediaEvent['kind']][] = [
    ['jellyseerr-media-pending', 'jellyseerr', 'requested'],
    ['jellyseerr-media-pending-multi-season', 'jellyseerr', 'requested'],
    ['jellyseerr-media-approved', 'jellyseerr', 'approved'],
    ['jellyseerr-media-approved-multi-season', 'jellyseerr', 'approved'],
    ['jellyseerr-media-auto-approved-movie', 'jellyseerr', 'approved'],
    ['jellyseerr-media-auto-approved-tv', 'jellyseerr', 'approved'],
    ['jellyseerr-media-available', 'jellyseerr', 'available'],
    ['jellyseerr-media-available-tv', 'jellyseerr', 'available'],
    ['jellyseerr-media-declined', 'jellyseerr', 'declined'],
    ['jellyseerr-media-failed', 'jellyseerr', 'failed'],
    ['jellyseerr-issue-created', 'jellyseerr', 'issue'],
    ['jellyseerr-test', 'jellyseerr', 'test'],
    ['radarr-grab', 'radarr', 'grabbed'],
    ['radarr-import', 'radarr', 'imported'],
    ['radarr-import-upgrade', 'radarr', 'imported'],
    ['radarr-movie-added', 'radarr', 'added'],
    ['radarr-movie-delete', 'radarr', 'deleted'],
    ['radarr-movie-file-delete', 'radarr', 'deleted'],
    ['radarr-manual-interaction-required', 'radarr', 'manual-interaction'],
    ['radarr-health', 'radarr', 'notice'],
    ['radarr-test', 'radarr', 'test'],
    ['sonarr-grab-season-pack', 'sonarr', 'grabbed'],
    ['sonarr-grab-single-episode', 'sonarr', 'grabbed'],
    ['sonarr-import-per-file-from-season-pack', 'sonarr', 'imported'],
    ['sonarr-import-single-episode', 'sonarr', 'imported'],
    ['sonarr-import-complete-season-pack', 'sonarr', 'imported'],
    ['sonarr-series-add', 'sonarr', 'added'],
    ['sonarr-series-delete', 'sonarr', 'deleted'],
    ['sonarr-episode-file-delete', 'sonarr', 'deleted'],
    ['sonarr-manual-interaction-required', 'sonarr', 'manual-interaction'],
    ['sonarr-health', 'sonarr', 'notice'],
    ['sonarr-test', 'sonarr', 'test'],
    ['jellyfin-item-added-movie', 'jellyfin', 'available'],
    ['jellyfin-item-added-movie-template', 'jellyfin', 'available'],
    ['jellyfin-item-added-episode', 'jellyfin', 'available'],
    ['jellyfin-item-added-episode-tvdb', 'jellyfin', 'available'],
  ];
  for (const [name, source, kind] of expected) {
    it(`${name} -> ${source} ${kind}, detected and with the source fixed`, () => {
      const body = fixture(name);
      assert.equal(detectSource(body), source);
      assert.equal(parse(body).kind, kind);
      assert.deepEqual(parse(body, source), parse(body));
    });
  }

  const captured: [string, MediaEvent['kind']][] = [
    ['captured/jellyseerr-movie-auto-approved', 'approved'],
    ['captured/jellyseerr-tv-auto-approved', 'approved'],
    ['captured/radarr-grab', 'grabbed'],
    ['captured/radarr-import', 'imported'],
    ['captured/sonarr-grab', 'grabbed'],
    ['captured/sonarr-import', 'imported'],
  ];
  for (const [name, kind] of captured) {
    it(`accepts the hand-trimmed real body ${name}`, () => assert.equal(parse(fixture(name)).kind, kind));
  }

  it('Rename, HealthRestored, ApplicationUpdate and the issue types beyond ISSUE_CREATED', () => {
    const rename = {
      eventType: 'Rename',
      series: fixture('sonarr-series-add').series,
      renamedEpisodeFiles: [{ path: '/a/new.mkv', previousPath: '/a/old.mkv', relativePath: 'new.mkv' }],
    };
    assert.deepEqual((parse(rename) as Extract<MediaEvent, { kind: 'renamed' }>).files, [{ path: '/a/new.mkv', previousPath: '/a/old.mkv' }]);
    const radarrRename = {
      eventType: 'Rename',
      movie: fixture('radarr-movie-added').movie,
      renamedMovieFiles: [{ path: '/m/new.mkv', previousPath: '/m/old.mkv' }],
    };
    assert.equal(parse(radarrRename).kind, 'renamed');
    const restored = { level: 'ok', message: 'Indexers are available again', type: 'IndexerStatusCheck', eventType: 'HealthRestored', instanceName: 'Sonarr' };
    assert.deepEqual(parse(restored), {
      source: 'sonarr',
      at: NOW.toISOString(),
      kind: 'notice',
      name: 'HealthRestored',
      level: 'ok',
      message: 'Indexers are available again',
      instance: 'Sonarr',
      check: 'IndexerStatusCheck',
    });
    const update = {
      message: 'Radarr updated from 6.0.3 to 6.0.4',
      previousVersion: '6.0.3',
      newVersion: '6.0.4',
      eventType: 'ApplicationUpdate',
      instanceName: 'Radarr',
      applicationUrl: '',
    };
    assert.equal(parse(update).source, 'radarr');
    assert.equal(parse(update).kind, 'notice');
    for (const [type, action] of [
      ['ISSUE_COMMENT', 'comment'],
      ['ISSUE_RESOLVED', 'resolved'],
      ['ISSUE_REOPENED', 'reopened'],
    ]) {
      const body = { ...fixture('jellyseerr-issue-created'), notification_type: type, comment: { comment_message: 'still broken' } };
      const event = parse(body) as Extract<MediaEvent, { kind: 'issue' }>;
      assert.equal(event.action, action);
      assert.equal(event.issueId, 5);
      if (type === 'ISSUE_COMMENT') assert.equal(event.message, 'still broken');
    }
  });

  it('unknown event types are understood as "ignored", not rejected', () => {
    assert.equal(parse({ eventType: 'SomethingNew', instanceName: 'Sonarr' }).kind, 'ignored');
    assert.equal(parse({ eventType: 'constructor', movie: {} }).kind, 'ignored', 'event types are looked up as own keys only');
    assert.equal(parse({ eventType: 'toString', series: {} }).kind, 'ignored');
    assert.equal(parse({ notification_type: 'MEDIA_AUTO_REQUESTED' }).kind, 'ignored');
    const issue = fixture('jellyseerr-issue-created');
    assert.equal(parse({ ...issue, notification_type: 'toString' }).kind, 'ignored', 'notification types are looked up as own keys only');
    assert.equal(parse({ NotificationType: 'PlaybackStart' }).kind, 'ignored');
    const series = { ...fixture('jellyfin-item-added-episode'), ItemType: 'Series' };
    assert.equal(parse(series).kind, 'ignored');
  });

  it('a Jellyfin ItemAdded without ItemType is malformed (nothing would ever become AVAILABLE), typed or template', () => {
    const { ItemType: _, ...typed } = fixture('jellyfin-item-added-movie');
    assert.match(reject(typed, 'jellyfin'), /^ItemType: required for ItemAdded/);
    assert.match(reject({ ...fixture('jellyfin-item-added-movie-template'), ItemType: '' }, 'jellyfin'), /^ItemType: required for ItemAdded/);
    assert.equal(parse({ NotificationType: 'PlaybackStart' }, 'jellyfin').kind, 'ignored', 'other notifications need no ItemType');
  });
});

describe('webhook sources: normalisation', () => {
  it('Jellyseerr: string ids, "" tvdbId, subject title and year, poster, requested seasons "1, 2"', () => {
    const movie = parse(fixture('jellyseerr-media-pending')) as Extract<MediaEvent, { kind: 'requested' }>;
    assert.deepEqual(movie.media, {
      mediaType: 'movie',
      ids: { jellyseerrRequest: 69, tmdb: 533514, tvdb: undefined },
      title: 'Violet Evergarden: The Movie',
      year: 2020,
      posterUrl: 'https://image.tmdb.org/t/p/w600_and_h900_bestv2/A9R6bukzzRmOzxvDQsXdQpeNm8l.jpg',
      requestedBy: 'adept',
      requestedSeasons: undefined,
      is4k: false,
    });
    const tv = parse(fixture('jellyseerr-media-pending-multi-season'));
    assert.ok('media' in tv);
    assert.deepEqual(tv.media.requestedSeasons, [1, 2]);
    assert.equal(tv.media.ids.tvdb, 424536);
    assert.equal(JSON.stringify(tv).includes('@'), false, 'no e-mail address is kept');
  });

  it('Radarr: anime from the "anime" tag, upper-case download id, poster from remoteUrl', () => {
    const grab = parse(fixture('radarr-grab')) as Extract<MediaEvent, { kind: 'grabbed' }>;
    assert.equal(grab.media.isAnime, true);
    assert.deepEqual(grab.media.ids, { tmdb: 533514, imdb: 'tt8652818', radarr: 52 });
    assert.equal(grab.media.posterUrl, 'https://image.tmdb.org/t/p/original/4b7uAGVtgA85Yd911yOJqIsHigx.jpg');
    const lower = clone(fixture('radarr-grab'));
    lower.downloadId = lower.downloadId.toLowerCase();
    assert.equal((parse(lower) as typeof grab).downloadId, 'C2C60F66C126652A86F7F2EE73DC83D4E255929E');
    const notAnime = clone(fixture('radarr-grab'));
    notAnime.movie.tags = [];
    assert.equal(parse(notAnime).kind === 'grabbed' && (parse(notAnime) as typeof grab).media.isAnime, false);
  });

  it('Sonarr: anime from series.type; episodes keyed by numbers with their own TVDB ids', () => {
    const grab = parse(fixture('sonarr-grab-season-pack')) as Extract<MediaEvent, { kind: 'grabbed' }>;
    assert.equal(grab.media.isAnime, true);
    assert.equal(grab.episodes.length, 13);
    assert.deepEqual(grab.episodes[0], { season: 1, episode: 1, title: 'Easy does it', tvdbId: 8916235 });
    assert.equal(grab.release?.quality, 'Bluray-1080p');
  });

  it('Sonarr import-complete: files are placed by SxxEyy in their names, never by array index', () => {
    const body = fixture('sonarr-import-complete-season-pack');
    body.episodeFiles.reverse();
    const event = parse(body) as Extract<MediaEvent, { kind: 'imported' }>;
    for (const file of event.files) {
      assert.equal(file.episodes.length, 1);
      const { episode } = nth(file.episodes);
      assert.match(file.path, new RegExp(`S01E${String(episode).padStart(2, '0')}`));
    }
    assert.equal(event.folder, '/data/anime/shows/Lycoris Recoil');
  });

  it('Sonarr import-complete: a file covering two episodes names both; an unplaceable file names none', () => {
    const b = showBodies(LYCORIS);
    const body = b.importComplete([1, 2, 3]);
    body.episodeFiles = [
      { ...b.file(1), path: '/x/Lycoris.Recoil.S01E01-E02.mkv', relativePath: 'Season 1/Lycoris.Recoil.S01E01-E02.mkv' },
      { ...b.file(3), path: '/x/[Group] Lycoris Recoil - 03.mkv', relativePath: 'Season 1/[Group] Lycoris Recoil - 03.mkv' },
    ];
    const event = parse(body) as Extract<MediaEvent, { kind: 'imported' }>;
    assert.deepEqual(
      event.files.map((f) => f.episodes),
      [
        [
          { season: 1, episode: 1 },
          { season: 1, episode: 2 },
        ],
        [],
      ],
    );
    assert.equal(event.episodes.length, 3);
  });

  it("Sonarr per-file Download: the listed episodes are the file's", () => {
    const event = parse(fixture('sonarr-import-per-file-from-season-pack')) as Extract<MediaEvent, { kind: 'imported' }>;
    assert.deepEqual(event.files, [{ path: fixture('sonarr-import-per-file-from-season-pack').episodeFile.path, episodes: [{ season: 1, episode: 1 }] }]);
    assert.equal(event.upgrade, false);
  });

  it('Jellyfin: a template with all strings and a dashed Guid equals "Send All Properties"', () => {
    const typed = parse(fixture('jellyfin-item-added-movie')) as Extract<MediaEvent, { kind: 'available' }>;
    const template = parse(fixture('jellyfin-item-added-movie-template')) as typeof typed;
    assert.deepEqual(template.media.ids, { tmdb: 533514, imdb: 'tt8652818', jellyfin: '3f1e9d2c7b6a45e8a1c0d9e8f7a6b5c4' });
    assert.deepEqual(template.media.ids, typed.media.ids);
    assert.equal(template.media.year, 2020);
  });

  it('Jellyfin Episode: its Provider_tvdb is the episode id; Shoko file id kept; multi-episode items name each', () => {
    const tvdb = parse(fixture('jellyfin-item-added-episode-tvdb')) as Extract<MediaEvent, { kind: 'available' }>;
    assert.deepEqual(tvdb.episodes, [{ season: 1, episode: 1, tvdbId: 8916235 }]);
    assert.equal(tvdb.media.title, 'Lycoris Recoil');
    const shoko = parse(fixture('jellyfin-item-added-episode')) as typeof tvdb;
    assert.equal(shoko.shokoFileId, 4821);
    const double = { ...fixture('jellyfin-item-added-episode-tvdb'), EpisodeNumberEnd: 3 };
    assert.deepEqual(
      (parse(double) as typeof tvdb).episodes.map((e) => e.episode),
      [1, 2, 3],
    );
    const noNumbers = { ...fixture('jellyfin-item-added-episode-tvdb'), SeasonNumber: '', EpisodeNumber: '' };
    assert.equal(parse(noNumbers).kind, 'ignored', 'an Episode without numbers must not mark the whole show');
  });

  it('takes the body as an object, as text/plain and as a raw Buffer', () => {
    const text = fixtureText('jellyfin-item-added-movie');
    assert.deepEqual(parse(text), parse(JSON.parse(text)));
    assert.deepEqual(parse(Buffer.from(text)), parse(JSON.parse(text)));
  });

  it('tells Radarr from Sonarr service events by instance name, then by applicationUrl', () => {
    assert.equal(detectSource({ eventType: 'Health', instanceName: 'Radarr 4K' }), 'radarr');
    assert.equal(detectSource({ eventType: 'Health', instanceName: 'tv', applicationUrl: '' }), 'radarr');
    assert.equal(detectSource({ eventType: 'Health', instanceName: 'tv' }), 'sonarr');
  });
});

describe('webhook sources: errors name the path and the reason', () => {
  it('wrong type, missing key, bad id text, truncated JSON, arrays, empty bodies', () => {
    const grab = clone(fixture('radarr-grab'));
    grab.movie.tmdbId = '533514';
    assert.equal(reject(grab), 'movie.tmdbId: expected number, received string');
    delete grab.movie.tmdbId;
    assert.equal(reject(grab), 'movie.tmdbId: expected number (missing)');
    const jellyseerr = clone(fixture('jellyseerr-media-pending'));
    jellyseerr.media.tmdbId = 'abc';
    assert.equal(reject(jellyseerr), 'media.tmdbId: expected an integer, received "abc"');
    const sonarr = clone(fixture('sonarr-grab-season-pack'));
    sonarr.episodes[3].seasonNumber = -1;
    assert.match(reject(sonarr), /^episodes\[3\]\.seasonNumber: /);
    assert.match(reject(fixtureText('radarr-grab').slice(0, 100)), /^body: not valid JSON/);
    assert.equal(reject([fixture('radarr-grab')]), 'body: expected object, received array');
    assert.equal(reject(''), 'body: empty');
    assert.equal(reject(Buffer.alloc(0)), 'body: empty');
    assert.match(reject({ hello: 'world' }), /^body: not a Jellyseerr, Radarr, Sonarr or Jellyfin webhook/);
    assert.equal(reject({ hello: 'world' }, 'radarr'), 'eventType: expected string (missing)');
  });

  it('huge values in fields tracking reads are refused; a body over 5 MB gets 413', () => {
    const grab = clone(fixture('radarr-grab'));
    grab.movie.title = 'x'.repeat(100_000);
    assert.match(reject(grab), /^movie\.title: Too big/);
    const result = parseWebhook(Buffer.alloc(6 * 1024 * 1024, 32), 'auto', NOW);
    assert.deepEqual(result.ok ? undefined : result.statusCode, 413);
  });
});

describe('episode numbers in file names', () => {
  const cases: [string, string[]][] = [
    ['Lycoris.Recoil.S01E01.1080p.BluRay.mkv', ['1x1']],
    ['show.s2e7.mkv', ['2x7']],
    ['Show - S01E01E02 - Title.mkv', ['1x1', '1x2']],
    ['Show - S01E01-E03 - Title.mkv', ['1x1', '1x2', '1x3']],
    ['Show - S01E01-02-03.mkv', ['1x1', '1x2', '1x3']],
    ['Show.S01E05.S01E06.mkv', ['1x5', '1x6']],
    ['Show.S01E09.REPACK.1080p.mkv', ['1x9']],
    ['Show.S01E01-1080p.mkv', ['1x1']],
    ['/path/Season 1/Show S01E04.mkv', ['1x4']],
    ['[SubsPlease] Lycoris Recoil - 01 (1080p).mkv', []],
    ['movie.mkv', []],
  ];
  for (const [name, expected] of cases) {
    it(name, () =>
      assert.deepEqual(
        episodesInFileName(name).map((e) => `${e.season}x${e.episode}`),
        expected,
      ),
    );
  }
});
