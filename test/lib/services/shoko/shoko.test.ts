import assert from 'node:assert/strict';
import type { MediaEvent, ShokoFileEvent } from '../../../../lib/events';
import { MediaEventSchema } from '../../../../lib/events';
import { normaliseShoko } from '../../../../lib/services/shoko/events';
import { StatusStore } from '../../../../lib/store/store';
import { matchShokoFile } from '../../../../lib/tracker/paths';
import { track, DEFAULT_TRACK_OPTIONS, type TrackOptions, type TrackResult } from '../../../../lib/tracker/track';
import { LYCORIS, VIOLET, jellyfinShokoEpisode, movieBodies, shokoFile, showBodies, type ShowSpec } from '../../../support/bodies';
import { fixture } from '../../../support/fixtures';
import { nth } from '../../../support/nth';
import { snapshotOf } from '../../../support/snapshot';
import { forEachStoreMode, hook } from '../../../support/store';

const AT = '2026-01-22T05:00:00.000Z';

function shoko(target: string, argument: unknown, folders?: Map<number, string>): MediaEvent {
  const result = normaliseShoko(target, argument, AT, folders);
  if (!result.ok) assert.fail(result.error);
  assert.ok(MediaEventSchema.safeParse(result.event).success);
  return result.event;
}

describe('Shoko events: normalisation', () => {
  it('file events of 5.x (PascalCase) and 4.x (camelCase) become the same event', () => {
    const v5 = shoko('ShokoEvent:FileMatched', fixture('shoko/file-matched')[0]) as ShokoFileEvent;
    assert.deepEqual(
      { action: v5.action, fileId: v5.fileId, importFolderId: v5.importFolderId, relativePath: v5.relativePath },
      {
        action: 'matched',
        fileId: 4821,
        importFolderId: 1,
        relativePath: 'anime/shows/Lycoris Recoil/Season 1/Lycoris.Recoil.S01E01.1080p.BluRay.Dual-Audio.Opus2.0.x265-FLE.mkv',
      },
    );
    assert.deepEqual(v5.crossReferences, [{ anidbEpisodeId: 261573, anidbAnimeId: 16934, shokoEpisodeId: 10452, shokoSeriesId: 312 }]);
    const v4 = shoko('ShokoEvent:FileMatched', fixture('shoko/v4-file-matched')[0]) as ShokoFileEvent;
    assert.deepEqual([v4.action, v4.fileId, v4.relativePath], [v5.action, v5.fileId, v5.relativePath]);
    assert.equal((shoko('ShokoEvent:FileDetected', fixture('shoko/v4-file-detected')[0]) as ShokoFileEvent).action, 'seen');
  });

  it('what each file event means for tracking', () => {
    const action = (target: string, name: string) => (shoko(target, fixture(`shoko/${name}`)[0]) as ShokoFileEvent).action;
    assert.equal(action('ShokoEvent:FileDetected', 'file-detected'), 'seen');
    assert.equal(action('ShokoEvent:FileHashed', 'file-hashed'), 'seen');
    assert.equal(action('ShokoEvent:FileMatched', 'file-matched'), 'matched');
    assert.equal(action('ShokoEvent:FileMatched', 'file-matched-new-series'), 'matched');
    assert.equal(action('ShokoEvent:FileNotMatched', 'file-not-matched'), 'not-matched');
    assert.equal(action('ShokoEvent:FileNotMatched', 'file-not-matched-already-linked'), 'matched', 'HasCrossReferences: a rescan, not a failure');
    assert.equal(action('ShokoEvent:FileDeleted', 'file-deleted'), 'gone');
    assert.equal(action('ShokoEvent:FileRenamed', 'file-renamed'), 'moved');
    assert.equal(action('ShokoEvent:FileMoved', 'file-moved'), 'moved');
    assert.equal(action('ShokoEvent:FileMatched', 'file-hashed'), 'seen', 'FileMatched without cross references links nothing yet');
  });

  it('metadata: only a TMDB movie being Added is tracked; the flood is informational', () => {
    const added = shoko('ShokoEvent:MovieUpdated', fixture('shoko/movie-updated')[0]);
    assert.deepEqual(added.kind === 'shoko-movie' && added.media.ids, { tmdb: 533514 });
    assert.equal(shoko('ShokoEvent:MovieUpdated', fixture('shoko/movie-updated-image')[0]).kind, 'ignored');
    assert.equal(shoko('ShokoEvent:SeriesUpdated', fixture('shoko/series-updated')[0]).kind, 'ignored');
    assert.equal(shoko('ShokoEvent:EpisodeUpdated', fixture('shoko/episode-updated')[0]).kind, 'ignored');
    assert.equal(shoko('ShokoEvent:OnConnected', null).kind, 'ignored');
  });

  it('malformed arguments are errors naming the field', () => {
    const bad = (target: string, argument: unknown) => {
      const result = normaliseShoko(target, argument, AT);
      assert.equal(result.ok, false);
      return (result as { error: string }).error;
    };
    assert.equal(bad('ShokoEvent:FileMatched', null), 'FileMatched: expected an object argument, received null');
    assert.equal(bad('ShokoEvent:FileHashed', 'x'), 'FileHashed: expected an object argument, received string');
    assert.equal(bad('ShokoEvent:FileMatched', { FileID: 1, RelativePath: 'a.mkv' }), 'FileMatched: ImportFolderID: expected number (missing)');
    assert.match(
      bad('ShokoEvent:FileMatched', { FileID: 'one', ImportFolderID: 1, RelativePath: 'a.mkv', CrossReferences: [] }),
      /^FileMatched: FileID: expected number, received string/,
    );
    assert.match(bad('ShokoEvent:MovieUpdated', { Source: 'TMDB', Reason: 'Added', MovieID: -4 }), /^MovieUpdated: MovieID: /);
  });

  it('a leading slash and Windows separators do not matter; the import folder place is attached when known', () => {
    const event = shoko(
      'ShokoEvent:FileHashed',
      { FileID: 3, ImportFolderID: 2, RelativePath: '\\My Show\\Season 1\\a.mkv', CrossReferences: [] },
      new Map([[2, '/mnt/anime']]),
    ) as ShokoFileEvent;
    assert.equal(event.relativePath, 'My Show/Season 1/a.mkv');
    assert.equal(event.folderPath, '/mnt/anime');
  });
});

describe('Shoko events: which file', () => {
  const holder = (finalPath: string, shokoFileId: number | null = null) => ({ finalPath, shokoFileId });
  const event = (relativePath: string, extra: Partial<ShokoFileEvent> = {}): ShokoFileEvent => ({
    source: 'shoko',
    at: AT,
    kind: 'shoko-file',
    name: 'FileHashed',
    action: 'seen',
    importFolderId: 1,
    relativePath,
    crossReferences: [],
    ...extra,
  });

  it("Shoko paths under another mount root than Sonarr's match by the longest common suffix", () => {
    const a = holder('/data/anime/shows/Show A/Season 1/Show.A.S01E01.mkv');
    const found = matchShokoFile(event('Show A/Season 1/Show.A.S01E01.mkv'), [a, holder('/data/anime/shows/Show A/Season 1/Show.A.S01E02.mkv')]);
    assert.deepEqual(found, { kind: 'match', holders: [a], via: 'suffix' });
  });

  it('two shows with identically named files: the parent folder decides; a tie matches nothing', () => {
    const a = holder('/tv/Show A/Season 1/episode01.mkv');
    const b = holder('/tv/Show B/Season 1/episode01.mkv');
    const found = matchShokoFile(event('anime/Show B/Season 1/episode01.mkv'), [a, b]);
    assert.deepEqual(found.kind === 'match' && found.holders, [b]);
    const tie = matchShokoFile(event('Season 1/episode01.mkv'), [a, b]);
    assert.equal(tie.kind, 'none');
    assert.match(tie.kind === 'none' ? tie.reason : '', /^2 imported files end in the same 2 path segments as Season 1\/episode01\.mkv; add a path mapping/);
  });

  it('an import folder mapping matches exactly; a recorded Shoko file id matches after a rename', () => {
    const a = holder('/tv/Show A/Season 1/episode01.mkv');
    const b = holder('/tv/Show B/Season 1/episode01.mkv', 77);
    assert.deepEqual(matchShokoFile(event('Show A/Season 1/episode01.mkv', { folderPath: '/tv' }), [a, b]), { kind: 'match', holders: [a], via: 'path' });
    assert.deepEqual(matchShokoFile(event('renamed/ep1.mkv', { fileId: 77 }), [a, b]), { kind: 'match', holders: [b], via: 'fileId' });
  });

  it('an empty path matches nothing (it would end every path)', () => {
    const found = matchShokoFile(event(''), [holder('/tv/a.mkv')]);
    assert.deepEqual(found, { kind: 'none', reason: 'FileHashed has an empty path' });
  });
});

forEachStoreMode((open) =>
  describe('Shoko events: tracking', () => {
    async function send(
      store: StatusStore,
      [target, argument]: readonly [string, unknown],
      options: TrackOptions = DEFAULT_TRACK_OPTIONS,
    ): Promise<TrackResult> {
      const result = normaliseShoko(target, argument, new Date().toISOString());
      assert.ok(result.ok);
      return track(store, result.event, options);
    }
    const show: ShowSpec = { ...LYCORIS, episodes: 3 };
    const b = showBodies(show);
    const filesOf = (i: number) => shokoFile(b.file(i).path, 4800 + i);

    it('an anime season: hashed -> ANIME_MATCHING per file, matched records the file id, Jellyfin (Shokofin) finishes it', async () => {
      const store = await open();
      await hook(store, 'sonarr', b.grab());
      await hook(store, 'sonarr', b.importComplete());
      let result = await send(store, filesOf(1).hashed());
      assert.equal(result.outcome, 'changed');
      assert.deepEqual(
        result.request?.episodes.map((e) => e.state),
        ['ANIME_MATCHING', 'IMPORTING', 'IMPORTING'],
      );
      assert.equal(result.request?.state, 'IMPORTING');
      assert.equal((await send(store, filesOf(1).detected())).outcome, 'duplicate', 'Detected and Hashed say the same');
      for (const i of [1, 2, 3]) result = await send(store, filesOf(i).matched());
      assert.equal(result.request?.state, 'ANIME_MATCHING');
      assert.deepEqual(
        result.request?.episodes.map((e) => e.shokoFileId),
        [4801, 4802, 4803],
      );
      for (const i of [1, 2, 3]) result = await hook(store, 'jellyfin', jellyfinShokoEpisode('Lycoris Recoil', 1, 100 + i, 4800 + i));
      assert.equal(result.request?.state, 'AVAILABLE', 'found by the Shoko file id, whatever Shokofin numbers the episode');
      await store.close();
    });

    it('FileNotMatched raises "needs a manual link" with the attempts; a later FileMatched clears it; a rescan is no failure', async () => {
      const store = await open();
      await hook(store, 'sonarr', b.grab());
      await hook(store, 'sonarr', b.importFile(2));
      const failed = await send(store, filesOf(2).notMatched(1));
      assert.equal(failed.notify, true);
      assert.deepEqual(failed.request?.attention && [failed.request.attention.kind, failed.request.attention.reason], [
        'needs-link',
        `needs a manual link in Shoko (1 automatic match attempt): ${b.file(2).path.split('/').pop()}`,
      ]);
      const waiting = snapshotOf(failed.request!).episodes.find((e) => e.episode === 2)?.waiting;
      assert.deepEqual([waiting?.code, waiting?.next?.action], ['needs-link', 'open-shoko']);
      const again = await send(store, filesOf(2).notMatched(2));
      assert.match(again.request?.attention?.reason ?? '', /2 automatic match attempts/);
      const matched = await send(store, filesOf(2).matched());
      assert.equal(matched.request?.attention, null);
      assert.equal((await send(store, filesOf(2).rescan())).request?.attention, null);
      await store.close();
    });

    it('Shoko events before the import are kept and applied when it arrives, in any order', async () => {
      const store = await open();
      await hook(store, 'sonarr', b.grab());
      const early = await send(store, filesOf(1).hashed());
      assert.deepEqual(
        [early.outcome, early.reason],
        ['pending', `no imported file is named ${b.file(1).path.split('/').pop()} yet: kept until its import arrives`],
      );
      assert.equal((await send(store, filesOf(1).matched())).outcome, 'pending');
      const imported = await hook(store, 'sonarr', b.importFile(1));
      assert.equal(nth(imported.request?.episodes).state, 'ANIME_MATCHING');
      assert.equal(nth(imported.request?.episodes).shokoFileId, 4801);
      assert.equal(imported.from, 'GRABBING');
      const timeline = await store.read.timeline(imported.request!.id);
      assert.deepEqual(
        timeline.map((t) => t.event),
        ['grabbed', 'imported', 'shoko-file', 'shoko-file'],
      );
      await store.close();
    });

    it('Shoko events and their import together (one commit when batched): the import still finds the events kept just before it', async () => {
      const store = await open();
      await hook(store, 'sonarr', b.grab());
      let commits = 0;
      store.on('committed', () => commits++);
      const [hashed, matched, imported] = await Promise.all([
        send(store, filesOf(1).hashed()),
        send(store, filesOf(1).matched()),
        hook(store, 'sonarr', b.importFile(1)),
      ]);
      assert.equal(commits, 1, 'one commit changed a request');
      assert.deepEqual([hashed.outcome, matched.outcome, imported.outcome], ['pending', 'pending', 'changed']);
      assert.deepEqual([nth(imported.request?.episodes).state, nth(imported.request?.episodes).shokoFileId], ['ANIME_MATCHING', 4801]);
      const again = await hook(store, 'sonarr', b.importFile(2));
      assert.deepEqual(
        again.request?.episodes.map((e) => e.state),
        ['ANIME_MATCHING', 'IMPORTING', 'GRABBING'],
        'the kept events were taken once',
      );
      await store.close();
    });

    it('"available on a Shoko match" for users without Jellyfin', async () => {
      const store = await open();
      await hook(store, 'sonarr', b.grab([1]));
      await hook(store, 'sonarr', b.importFile(1));
      const result = await send(store, filesOf(1).matched(), { ...DEFAULT_TRACK_OPTIONS, availableOnShokoMatch: true });
      assert.equal(result.request?.state, 'AVAILABLE');
      await store.close();
    });

    it('an anime movie: matched by path, then Jellyfin shows it as a series special: the Shoko file id still finds the movie', async () => {
      const store = await open();
      const m = movieBodies({ ...VIOLET });
      m.grab.movie.tags = []; // no "anime" tag: Shoko knowing the file is what makes it anime
      m.imported.movie.tags = [];
      await hook(store, 'radarr', m.grab);
      const imported = await hook(store, 'radarr', m.imported);
      assert.equal(imported.request?.isAnime, false);
      const file = shokoFile(m.imported.movieFile.path, 4790);
      const matched = await send(store, file.matched());
      assert.deepEqual([matched.request?.state, matched.request?.isAnime], ['ANIME_MATCHING', true]);
      const movieSignal = await send(store, ['ShokoEvent:MovieUpdated', fixture('shoko/movie-updated')[0]]);
      assert.deepEqual([movieSignal.outcome, movieSignal.request?.state], ['recorded', 'ANIME_MATCHING']);
      const special = await hook(store, 'jellyfin', jellyfinShokoEpisode('Violet Evergarden', 0, 3, 4790));
      assert.deepEqual(
        [special.request?.id, special.request?.state, special.request?.title],
        [matched.request?.id, 'AVAILABLE', 'Violet Evergarden: The Movie'],
      );
      await store.close();
    });
  }),
);
