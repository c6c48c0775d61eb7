import type { RequestRecord } from '../model';
import type { RequestSnapshot } from '../snapshot-schema';
import { displayTitle, publicSnapshot, type PublicSnapshot } from '../tracker/snapshot';
import type { StoredPerson } from './person';

/** A person's page: their own requests and those they follow, each with its watch-now links once ready. */

type WithWatch<T> = T & { watch: string | null };
export type PersonalRequest = WithWatch<Omit<PublicSnapshot, 'episodes'>> & {
  relation: 'own' | 'followed';
  episodes: WithWatch<PublicSnapshot['episodes'][number]>[];
};
/** Someone else's request, as the personal page offers it to follow: no requester, no detail. */
export type OtherRequest = Pick<PublicSnapshot, 'id' | 'title' | 'year' | 'mediaType' | 'state' | 'posterUrl'>;

export interface PersonalView {
  person: { name: string };
  requests: PersonalRequest[];
  others: OtherRequest[];
}

/** Jellyfin's web page of an item (`JELLYFIN_PUBLIC_URL`, else the jellyfin-server node's address); null while unknown. */
export function watchUrl(jellyfinUrl: string | undefined, itemId: string | null, ready: boolean): string | null {
  if (!jellyfinUrl || !itemId || !ready) return null;
  return `${jellyfinUrl.replace(/\/+$/, '')}/web/#/details?id=${encodeURIComponent(itemId)}`;
}

/** `records` with their `snapshots` (same order): the person's requests, newest first. */
export function personalView(
  person: StoredPerson,
  records: RequestRecord[],
  snapshots: RequestSnapshot[],
  followed: Set<number>,
  others: RequestRecord[],
  jellyfinUrl: string | undefined,
): PersonalView {
  const requests = records.map((record, i): PersonalRequest => {
    const shown = publicSnapshot(snapshots[i]!);
    return {
      ...shown,
      relation: followed.has(record.id) && record.requestedBy?.toLowerCase() !== person.name.toLowerCase() ? 'followed' : 'own',
      watch: watchUrl(jellyfinUrl, record.ids.jellyfin, record.state === 'AVAILABLE' && !record.removedAt),
      episodes: shown.episodes.map((e, j) => ({
        ...e,
        watch: watchUrl(jellyfinUrl, record.episodes[j]?.jellyfinId ?? null, e.state === 'AVAILABLE' && !e.removedAt),
      })),
    };
  });
  return {
    person: { name: person.name },
    requests,
    others: others.map((r) => ({ id: r.id, title: displayTitle(r), year: r.year, mediaType: r.mediaType, state: r.state, posterUrl: r.posterUrl })),
  };
}
