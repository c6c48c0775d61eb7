import assert from 'node:assert/strict';
import { aggregateEpisodes } from '../../../lib/tracker/aggregate';
import { reduce } from '../../../lib/tracker/reduce';
import { downloadRecord, snapshotOf } from '../../support/snapshot';
import { summarise } from '../../../lib/tracker/summary';
import { INTERSTELLAR, LYCORIS, VIOLET, movieBodies, showBodies } from '../../support/bodies';
import { event, run } from '../../support/events';
import { clone, fixture } from '../../support/fixtures';
import { nth } from '../../support/nth';

const OFF = { availableOnImport: false, availableOnShokoMatch: false };

describe('reduce: a movie', () => {
  const b = movieBodies(INTERSTELLAR);

  it('walks REQUESTED -> APPROVED -> GRABBING -> IMPORTING -> AVAILABLE with a timeline entry each', () => {
    const steps = [
      event('jellyseerr', b.pending),
      event('jellyseerr', b.approved),
      event('radarr', b.grab),
      event('radarr', b.imported),
      event('jellyfin', b.jellyfin),
    ];
    let record = null;
    const states = [];
    for (const step of steps) {
      const result = reduce(record, step, OFF);
      assert.equal(result.changed, true);
      assert.equal(result.entry?.state, result.record.state);
      record = result.record;
      states.push(record.state);
    }
    assert.deepEqual(states, ['REQUESTED', 'APPROVED', 'GRABBING', 'IMPORTING', 'AVAILABLE']);
    assert.ok(record);
    assert.equal(record.finalPath, `${b.folder}/Interstellar (2014) [Bluray-1080p].mkv`);
    assert.deepEqual(record.downloads, [downloadRecord({ id: INTERSTELLAR.hash, progress: 1, state: 'DOWNLOADED', instance: 'radarr' })]);
    assert.equal(record.ids.jellyfin, (157336).toString(16).padStart(32, '0'));
    assert.equal(record.ids.radarr, 60);
    assert.ok(record.availableAt);
    assert.equal(summarise(record), 'Interstellar (2014): ready to watch');
  });

  it('an import while GRABBING jumps to IMPORTING (nothing refused)', () => {
    const record = run([event('radarr', b.grab), event('radarr', b.imported)]);
    assert.equal(record.state, 'IMPORTING');
  });

  it('a late grab after the import is recorded and moves nothing back', () => {
    const imported = reduce(null, event('radarr', b.imported), OFF).record;
    const late = reduce(imported, event('radarr', b.grab), OFF);
    assert.equal(late.record.state, 'IMPORTING');
    assert.equal(late.changed, false);
    assert.match(late.entry?.detail ?? '', /^late: /);
  });

  it('a new grab with another download before the import restarts at GRABBING', () => {
    const grabbed = run([event('radarr', b.grab)]);
    const other = clone(b.grab);
    other.downloadId = 'FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000';
    const result = reduce(grabbed, event('radarr', other), OFF);
    assert.equal(result.record.state, 'GRABBING');
    assert.equal(result.record.downloadId, other.downloadId);
    assert.deepEqual(
      result.record.downloads.map((d) => d.id),
      [other.downloadId],
    );
    assert.match(result.entry?.detail ?? '', /restarted with a new download/);
  });

  it('after AVAILABLE a grab and an import are an upgrade: recorded, never demoting', () => {
    const available = run([event('radarr', b.grab), event('radarr', b.imported), event('jellyfin', b.jellyfin)]);
    const grab = clone(b.grab);
    grab.downloadId = 'ABCDEF0000000000000000000000000000000000';
    const upgradeGrab = reduce(available, event('radarr', grab), OFF);
    assert.equal(upgradeGrab.record.state, 'AVAILABLE');
    assert.match(upgradeGrab.entry?.detail ?? '', /^upgrade: /);
    const imported = clone(fixture('radarr-import-upgrade'));
    Object.assign(imported.movie, b.imported.movie);
    const upgradeImport = reduce(upgradeGrab.record, event('radarr', imported), OFF);
    assert.equal(upgradeImport.record.state, 'AVAILABLE');
    assert.equal(upgradeImport.record.finalPath, imported.movieFile.path, 'the new file is where the movie now is');
  });

  it('declined and failed give FAILED with the reason as attention; progress after FAILED recovers and clears it', () => {
    const declined = run([event('jellyseerr', b.pending), event('jellyseerr', { ...b.pending, notification_type: 'MEDIA_DECLINED' })]);
    assert.equal(declined.state, 'FAILED');
    assert.deepEqual(declined.attention && { kind: declined.attention.kind, reason: declined.attention.reason }, {
      kind: 'declined',
      reason: 'declined in Jellyseerr',
    });
    const recovered = reduce(declined, event('radarr', b.grab), OFF).record;
    assert.equal(recovered.state, 'GRABBING');
    assert.equal(recovered.attention, null);
  });

  it('failure never undoes AVAILABLE', () => {
    const available = run([event('radarr', b.imported), event('jellyfin', b.jellyfin)]);
    const failed = reduce(available, event('jellyseerr', { ...b.pending, notification_type: 'MEDIA_FAILED' }), OFF);
    assert.equal(failed.record.state, 'AVAILABLE');
    assert.equal(failed.record.attention, null);
  });

  it('"available on import" serves users without Jellyfin', () => {
    const record = run([event('radarr', b.grab), event('radarr', b.imported)], { availableOnImport: true, availableOnShokoMatch: false });
    assert.equal(record.state, 'AVAILABLE');
  });

  it('manual interaction raises attention; the next progress clears it', () => {
    const mi = clone(fixture('radarr-manual-interaction-required'));
    Object.assign(mi.movie, b.grab.movie);
    mi.downloadId = INTERSTELLAR.hash;
    const flagged = reduce(run([event('radarr', b.grab)]), event('radarr', mi), OFF);
    assert.equal(flagged.attentionRaised, true);
    assert.equal(flagged.record.attention?.kind, 'manual-interaction');
    assert.match(flagged.record.attention?.reason ?? '', /^Radarr needs manual interaction: Not an upgrade/);
    assert.equal(reduce(flagged.record, event('radarr', b.imported), OFF).record.attention, null);
  });

  it('an anime movie (tagged anime) imports to IMPORTING in this version', () => {
    const v = movieBodies(VIOLET);
    const record = run([event('radarr', v.grab), event('radarr', v.imported)]);
    assert.equal(record.isAnime, true);
    assert.equal(record.state, 'IMPORTING');
  });
});

describe('reduce: TV, per episode', () => {
  const b = showBodies(LYCORIS);

  it('episodes come from the grab, keyed by (season, episode), each with its download id', () => {
    const record = run([event('jellyseerr', b.approved), event('sonarr', b.grab())]);
    assert.equal(record.episodes.length, 13);
    assert.ok(record.episodes.every((e) => e.state === 'GRABBING' && e.downloadId === LYCORIS.hash));
    assert.deepEqual(record.requestedSeasons, [1]);
    assert.equal(snapshotOf(record).episodeCounts.GRABBING, 13);
  });

  it('the request is as far as its least advanced unfinished episode', () => {
    let record = run([event('sonarr', b.grab())]);
    for (const n of [1, 2, 3]) record = reduce(record, event('sonarr', b.importFile(n)), OFF).record;
    assert.equal(record.state, 'GRABBING');
    assert.deepEqual(snapshotOf(record).episodeCounts, {
      total: 13,
      GRABBING: 10,
      DOWNLOADING: 0,
      DOWNLOADED: 0,
      IMPORTING: 3,
      ANIME_MATCHING: 0,
      APPROVED: 0,
      AVAILABLE: 0,
      FAILED: 0,
    });
    record = reduce(record, event('sonarr', b.importComplete()), OFF).record;
    assert.equal(record.state, 'IMPORTING');
    for (const n of b.numbers) record = reduce(record, event('jellyfin', b.jellyfinEpisode(n)), OFF).record;
    assert.equal(record.state, 'AVAILABLE');
    assert.equal(summarise(record), 'Lycoris Recoil (2022): 13/13 episodes available');
  });

  it('a Jellyfin Episode item marks that one episode, found by its own TVDB id', () => {
    const record = run([event('sonarr', b.grab()), event('sonarr', b.importComplete()), event('jellyfin', b.jellyfinEpisode(7))]);
    assert.deepEqual(
      record.episodes.filter((e) => e.state === 'AVAILABLE').map((e) => e.episode),
      [7],
    );
    assert.equal(record.state, 'IMPORTING');
  });

  it('import-complete places files by name even when the arrays are in different orders', () => {
    const body = b.importComplete();
    body.episodeFiles.reverse();
    const record = run([event('sonarr', b.grab()), event('sonarr', body)]);
    for (const e of record.episodes) assert.match(e.finalPath ?? '', new RegExp(`S01E${String(e.episode).padStart(2, '0')}\\.`));
  });

  it('a file that cannot be placed still moves its listed episodes on, without a path', () => {
    const body = b.importComplete([5]);
    body.episodeFiles = [{ ...b.file(5), path: '/x/[Group] Lycoris Recoil - 05.mkv', relativePath: '[Group] Lycoris Recoil - 05.mkv' }];
    const record = run([event('sonarr', b.grab()), event('sonarr', body)]);
    const e5 = record.episodes.find((e) => e.episode === 5);
    assert.equal(e5?.state, 'IMPORTING');
    assert.equal(e5?.finalPath, null);
  });

  it('a season pack plus separately grabbed episodes: each episode keeps its own download', () => {
    const single = 'AAAA1111BBBB2222CCCC3333DDDD4444EEEE5555';
    const record = run([event('sonarr', b.grab(b.numbers.slice(0, 10))), event('sonarr', b.grab([11, 12, 13], single))]);
    assert.equal(record.episodes.length, 13);
    assert.deepEqual(record.downloads.map((d) => d.id).sort(), [LYCORIS.hash, single].sort());
    assert.equal(record.episodes.find((e) => e.episode === 12)?.downloadId, single);
    const afterPack = reduce(record, event('sonarr', b.importComplete(b.numbers.slice(0, 10))), OFF).record;
    assert.equal(afterPack.state, 'GRABBING', 'the separately grabbed episodes are still downloading');
    assert.deepEqual(
      afterPack.downloads.find((d) => d.id === single),
      downloadRecord({ id: single, instance: 'sonarr' }),
    );
  });

  it("an episode list's index, handed from event to event, finds what a fresh one would", () => {
    // The same events applied twice: to each result as it is (its index handed over), and to a deep
    // copy of it (indexed afresh).
    const renumbered = b.jellyfinEpisode(3);
    renumbered.EpisodeNumber = 30;
    const twin = b.grab([14]);
    twin.episodes[0].tvdbId = LYCORIS.episodeTvdbBase + 2;
    const filled = b.grab([15]);
    filled.episodes[0].tvdbId = 0;
    const events = [
      event('sonarr', b.grab(b.numbers.slice(0, 5))),
      event('sonarr', b.grab(b.numbers.slice(5), 'AAAA1111BBBB2222CCCC3333DDDD4444EEEE5555')),
      event('sonarr', twin),
      event('jellyfin', b.jellyfinEpisode(2)),
      event('sonarr', b.importComplete()),
      event('jellyfin', renumbered),
      event('sonarr', filled),
      event('sonarr', b.grab([15])),
      event('jellyfin', b.jellyfinEpisode(15)),
    ];
    let handed = reduce(null, events[0]!, OFF).record;
    let fresh = structuredClone(handed);
    for (const e of events.slice(1)) {
      handed = reduce(handed, e, OFF).record;
      fresh = reduce(structuredClone(fresh), e, OFF).record;
      assert.deepEqual(handed, fresh, `after ${e.source} ${e.kind}`);
    }
    assert.equal(handed.episodes.find((e) => e.episode === 3)?.state, 'AVAILABLE', 'found by its TVDB id under other numbers');
    assert.deepEqual(
      handed.episodes.map((e) => e.episode),
      [...b.numbers, 15],
      'a grab naming the TVDB id of episode 2 under another number is episode 2',
    );
    assert.equal(handed.episodes.at(-1)?.tvdbId, LYCORIS.episodeTvdbBase + 15, 'a TVDB id learnt later');
  });

  it('FAILED only when no episode is in progress; MEDIA_AVAILABLE finishes every episode', () => {
    assert.equal(aggregateEpisodes(['AVAILABLE', 'FAILED', 'DOWNLOADING']), 'DOWNLOADING');
    assert.equal(aggregateEpisodes(['AVAILABLE', 'FAILED']), 'FAILED');
    assert.equal(aggregateEpisodes(['AVAILABLE', 'AVAILABLE']), 'AVAILABLE');
    assert.equal(aggregateEpisodes(['IMPORTING', 'GRABBING', 'AVAILABLE']), 'GRABBING');
    assert.equal(aggregateEpisodes([]), undefined);
    const record = run([event('jellyseerr', b.approved), event('sonarr', b.grab()), event('jellyseerr', b.available)]);
    assert.equal(record.state, 'AVAILABLE');
    assert.ok(record.episodes.every((e) => e.state === 'AVAILABLE'));
  });

  it('an AVAILABLE show tracks the new episodes of a later grab; its AVAILABLE ones are upgrades, never demoted', () => {
    const available = run([event('sonarr', b.grab([1, 2])), event('jellyseerr', b.available)]);
    const firstAvailable = available.availableAt;
    const later = reduce(available, event('sonarr', b.grab([1, 2, 3], 'BEEF000000000000000000000000000000000000')), OFF);
    assert.equal(later.record.state, 'GRABBING', 'new work is in flight');
    assert.deepEqual(
      later.record.episodes.map((e) => [e.episode, e.state, e.downloadId]),
      [
        [1, 'AVAILABLE', LYCORIS.hash],
        [2, 'AVAILABLE', LYCORIS.hash],
        [3, 'GRABBING', 'BEEF000000000000000000000000000000000000'],
      ],
    );
    assert.equal(later.record.availableAt, firstAvailable, 'availableAt keeps the first time');
    assert.deepEqual(later.becameAvailable, []);
  });

  it('a rename moves the stored paths', () => {
    const record = run([event('sonarr', b.grab([1])), event('sonarr', b.importFile(1))]);
    const rename = {
      eventType: 'Rename',
      series: b.grab().series,
      renamedEpisodeFiles: [{ path: '/new/E01.mkv', previousPath: nth(record.episodes).finalPath }],
    };
    const renamed = reduce(record, event('sonarr', rename), OFF);
    assert.equal(nth(renamed.record.episodes).finalPath, '/new/E01.mkv');
  });

  it('a Jellyseerr issue raises attention until it is resolved', () => {
    const record = run([event('jellyseerr', b.approved)]);
    const issue = { ...fixture('jellyseerr-issue-created') };
    const flagged = reduce(record, event('jellyseerr', issue), OFF);
    assert.equal(flagged.record.attention?.kind, 'issue');
    assert.match(flagged.record.attention?.reason ?? '', /^audio issue #5 reported: The English dub/);
    const resolved = reduce(flagged.record, event('jellyseerr', { ...issue, notification_type: 'ISSUE_RESOLVED' }), OFF);
    assert.equal(resolved.record.attention, null);
  });
});
