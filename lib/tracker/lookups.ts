import type { DownloadRecord, RequestRecord } from '../model';
import { episodeKey } from '../episode-numbers';

type ArrEpisode = NonNullable<RequestRecord['arr']>['episodes'][number];
const byKey = new WeakMap<object, Map<string, ArrEpisode>>();

const downloadsById = new WeakMap<object, Map<string, DownloadRecord>>();

/** A request's download by id (indexed once per record: a long show's episodes each look theirs up). */
export function downloadOf(record: Pick<RequestRecord, 'downloads'>, id: string | null): DownloadRecord | undefined {
  if (id === null) return undefined;
  let index = downloadsById.get(record.downloads);
  if (!index) downloadsById.set(record.downloads, (index = new Map(record.downloads.map((d) => [d.id, d]))));
  return index.get(id);
}

/** What the arr's record says of one episode (looked up by key, the list indexed once per record). */
export function arrEpisode(record: Pick<RequestRecord, 'arr'>, key: string): ArrEpisode | undefined {
  const status = record.arr;
  if (!status?.episodes.length) return undefined;
  let index = byKey.get(status);
  if (!index) byKey.set(status, (index = new Map(status.episodes.map((e) => [episodeKey(e), e]))));
  return index.get(key);
}
