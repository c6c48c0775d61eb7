import type { ActionEvent, ArrStatusEvent, MediaEventOf, StuckEvent } from '../events';
import type { ArrStatus, RequestRecord } from '../model';
import { sameJson } from '../same-json';
import { makeAvailable } from './items';
import type { Targets } from './targets';
import { undoWholeRemoval } from './presence-rules';
import type { Applied, What } from './rules';

/** The rules of the request itself: its listed episodes, a person's actions, the arr's status before a grab, the stuck check (see rules.ts). */

/** Sonarr's list of a show's requested episodes: the aired ones are tracked (APPROVED until grabbed), the others shown as upcoming. */
export function listed(record: RequestRecord, targets: Targets, event: MediaEventOf<'episodes-listed'>): Applied {
  const added = targets.named(event.episodes, 'APPROVED').flatMap(({ target, added: isNew }, i) => {
    const ref = event.episodes[i];
    if (target && ref) target.fill(ref);
    return isNew && ref ? [{ season: ref.season, episode: ref.episode }] : [];
  });
  record.upcoming = event.upcoming
    .map((u) => ({ season: u.season, episode: u.episode, title: u.title ?? null, airDate: u.airDate ?? null }))
    .sort((a, b) => a.season - b.season || a.episode - b.episode);
  return { effects: [added.length ? 'advanced' : 'same'], what: { kind: 'listed', added }, quiet: !added.length, forward: false };
}

/**
 * A person's action: recorded; marking available moves what it names there (a correction, on their
 * word). A deletion's steps: planned (held on the request), kept or done (dropped), cancelled because
 * the source of truth still has the media (the removal was wrong: undone).
 */
export function action(record: RequestRecord, targets: Targets, event: ActionEvent): Applied {
  const what: What = { kind: 'action', action: event.action, by: event.by, reason: event.reason, detail: event.detail };
  switch (event.action) {
    case 'deletion-planned':
      record.deletion = event.deletion ?? null;
      return { effects: ['same'], what, forward: false };
    case 'deletion-cancelled':
      for (const t of targets.all()) t.setRemoved(null);
      undoWholeRemoval(record);
      record.deletion = null;
      return { effects: ['same'], what, forward: false };
    case 'keep':
    case 'deletion-dry-run':
    case 'deletion-sync':
      record.deletion = null;
      return { effects: ['same'], what, forward: false };
    case 'explain':
      record.rejections = event.rejections ?? null;
      return { effects: ['same'], what, forward: false };
    case 'strike': {
      // The automatic retry's count, shown on the download: no timeline entry for each check.
      const download = record.downloads.find((d) => d.id === event.downloadId);
      if (download && event.strikes !== undefined) download.strikes = event.strikes;
      return { effects: ['same'], what, quiet: true, forward: false };
    }
    case 'mark-available':
      break;
    default:
      return { effects: ['same'], what, forward: false };
  }
  const items = event.episodes.length ? targets.named(event.episodes).flatMap(({ target }) => (target ? [target] : [])) : undefined;
  const effects = items ? items.map((t) => t.step(makeAvailable)) : targets.whole(makeAvailable, 'always');
  return { effects, what };
}

/**
 * What the arr's record says before a grab, kept for the waiting reason (see waiting.ts). A search the
 * arr made since the last reading (a new lastSearchTime) is counted; nothing else about it is news.
 */
export function arrStatus(record: RequestRecord, event: ArrStatusEvent): Applied {
  const before = record.arr;
  const what: What = { kind: 'arr-status', source: event.source };
  // One instance without it says nothing against another that has it (an anime Radarr beside the main one).
  if (!event.status.present && before?.present && before.instance !== event.status.instance) return { effects: ['same'], what, quiet: true, forward: false };
  // Read again and the same: nothing to write.
  if (before && sameStatus(before, event.status)) return { effects: ['same'], what, quiet: true, forward: false };
  const searched = event.status.lastSearchAt !== null && event.status.lastSearchAt !== before?.lastSearchAt;
  record.arr = { ...event.status, searches: (before?.searches ?? 0) + (searched ? 1 : 0) };
  return { effects: ['same'], what, quiet: true, forward: false };
}

/** What the arr says besides when, and the searches this package counts. */
const NOT_STATUS = new Set<string>(['at', 'searches'] satisfies (keyof ArrStatus)[]);

export function sameStatus(before: ArrStatus, after: ArrStatusEvent['status']): boolean {
  return sameJson(before, after, NOT_STATUS);
}

export function stuck(event: StuckEvent): Applied {
  return { effects: ['same'], what: { kind: 'stuck', reason: event.reason }, forward: false };
}
