import type { MediaBearingEvent, MediaInfo, Source } from '../events';
import type { ArrPlacement, RequestRecord } from '../model';
import { sameJson } from '../same-json';

/** A request record: a new one, a copy to change, what a source's words about the media count for. */

export function createRecord(event: MediaBearingEvent): RequestRecord {
  return {
    id: 0,
    mediaType: event.media.mediaType,
    title: null,
    year: null,
    isAnime: false,
    stage: 'REQUESTED',
    state: 'REQUESTED',
    requestedBy: null,
    posterUrl: null,
    infoSource: null,
    requestedSeasons: [],
    ids: { jellyseerrRequest: null, tmdb: null, tvdb: null, imdb: null, radarr: null, sonarr: null, jellyfin: null },
    is4k: event.media.is4k ?? false,
    instances: [],
    upcoming: [],
    downloadId: null,
    finalPath: null,
    shokoFileId: null,
    attention: null,
    episodes: [],
    downloads: [],
    createdAt: event.at,
    updatedAt: event.at,
    stateChangedAt: event.at,
    availableAt: null,
    removedAt: null,
    deletion: null,
    progressAt: event.at,
    arr: null,
    rejections: null,
  };
}

/**
 * A copy to apply an event to. Episodes are shared until one is changed (see EpisodeEdits), so a long
 * show costs no copy of its every episode; everything else is copied.
 */
export function cloneRecord(record: RequestRecord): RequestRecord {
  return {
    ...record,
    ids: { ...record.ids },
    requestedSeasons: [...record.requestedSeasons],
    attention: record.attention && { ...record.attention },
    instances: record.instances.map((i) => ({ ...i })),
    episodes: record.episodes,
    downloads: record.downloads.map((d) => ({ ...d })),
    arr: record.arr && { ...record.arr },
  };
}

/** Besides the request's own fields and its downloads: the clock, and the episodes ("changed" compares them apart). */
const NOT_OWN = new Set<string>(['updatedAt', 'stateChangedAt', 'availableAt', 'episodes'] satisfies (keyof RequestRecord)[]);

export function ownFieldsChanged(before: RequestRecord, after: RequestRecord): boolean {
  return !sameJson(before, after, NOT_OWN);
}

/**
 * How far a source's words about the media count: Jellyseerr's title, year and poster are what the
 * household asked for; the arrs' come next, Jellyfin's last. A precedence (not "first word wins")
 * makes the result the same whatever order the webhooks arrive in.
 */
const INFO_PRECEDENCE: Partial<Record<Source, number>> = { jellyseerr: 3, radarr: 2, sonarr: 2, jellyfin: 1 };

export function mergeMedia(record: RequestRecord, media: MediaInfo, source: Source): void {
  const weight = INFO_PRECEDENCE[source] ?? 0;
  const current = record.infoSource ? (INFO_PRECEDENCE[record.infoSource] ?? 0) : 0;
  if (weight >= current && (media.title || media.year || media.posterUrl)) {
    record.title = media.title ?? record.title;
    record.year = media.year ?? record.year;
    record.posterUrl = media.posterUrl ?? record.posterUrl;
    record.infoSource = source;
  } else {
    record.title ??= media.title ?? null;
    record.year ??= media.year ?? null;
    record.posterUrl ??= media.posterUrl ?? null;
  }
  record.requestedBy ??= media.requestedBy ?? null;
  // Once anything says anime it is anime (a Radarr tag may be added after the first grab).
  record.isAnime ||= media.isAnime ?? false;
  const ids = record.ids as Record<keyof RequestRecord['ids'], number | string | null>;
  for (const key of Object.keys(ids) as (keyof RequestRecord['ids'])[]) {
    // `ids.radarr` and `ids.sonarr` are the HD instance's: a 4K instance's id is only in `instances`.
    if (media.is4k && (key === 'radarr' || key === 'sonarr')) continue;
    const value = media.ids[key];
    if (ids[key] === null && value !== undefined) ids[key] = value;
  }
  if ((source === 'radarr' || source === 'sonarr') && media.instance)
    noteInstance(record, { name: media.instance, kind: source, is4k: media.is4k ?? false, id: media.ids[source] });
  if (media.requestedSeasons?.length) {
    record.requestedSeasons = [...new Set([...record.requestedSeasons, ...media.requestedSeasons])].sort((a, b) => a - b);
  }
}

/** The arr instances the media lives in, by name: the latest id each gave. */
function noteInstance(record: RequestRecord, instance: Omit<ArrPlacement, 'id'> & { id: number | undefined }): void {
  if (instance.id === undefined) return;
  const known = record.instances.find((i) => i.name === instance.name);
  if (known) Object.assign(known, instance);
  else record.instances = [...record.instances, { ...instance, id: instance.id }].sort((a, b) => a.name.localeCompare(b.name));
}
