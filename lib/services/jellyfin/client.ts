import { z } from 'zod';
import type { EpisodeKey, MediaEventOf } from '../../events';
import { episodeKey } from '../../episode-numbers';
import { formatIssues } from '../http/schema-helpers';
import { ServiceError, type ServiceErrorKind } from '../http/errors';
import { parseJson, ServiceHttp, type TlsTrust } from '../http/http';
import type { RequestRecord } from '../../model';

/**
 * Asking Jellyfin whether a request plays (payloads.md section 6.2). `AnyProviderIdEquals` is not a
 * parameter of /Items (it is ignored and every item comes back), so items are narrowed with real
 * filters and then checked client side: exact provider ids, and a playable file (a metadata-only stub
 * is Virtual, without a path or media sources).
 */

const ItemSchema = z
  .object({
    Id: z.string().max(64),
    Name: z.string().max(1000).optional(),
    Type: z.string().max(64),
    ProductionYear: z.number().int().optional(),
    ProviderIds: z.record(z.string(), z.string().nullable()).optional(),
    LocationType: z.string().max(64).optional(),
    Path: z.string().max(4096).optional(),
    MediaSources: z.array(z.object({ Path: z.string().max(4096).optional() }).loose()).optional(),
    IndexNumber: z.number().int().optional(),
    IndexNumberEnd: z.number().int().optional(),
    ParentIndexNumber: z.number().int().optional(),
  })
  .loose();
const ItemsSchema = z.object({ Items: z.array(ItemSchema).max(100000) }).loose();
export type JellyfinItem = z.infer<typeof ItemSchema>;

export interface JellyfinOptions {
  url: string;
  apiKey: string;
  timeoutMs?: number;
  tls?: TlsTrust;
}

const FIELDS = 'ProviderIds,Path,MediaSources';

export class JellyfinClient {
  private readonly http: ServiceHttp;

  constructor(private readonly options: JellyfinOptions) {
    this.http = new ServiceHttp('Jellyfin', options.url, options.tls, options.timeoutMs);
  }

  /** An error of this Jellyfin, saying where it is. */
  private error(message: string, kind: ServiceErrorKind, status?: number): ServiceError {
    return new ServiceError('Jellyfin', kind, message, this.http.where, status);
  }

  private async get(path: string, params: Record<string, string>): Promise<JellyfinItem[]> {
    const res = await this.http.call(`${path}?${new URLSearchParams({ ...params, Fields: FIELDS })}`, {
      headers: { authorization: `MediaBrowser Token="${this.options.apiKey}"`, accept: 'application/json' },
    });
    if (res.status === 401 || res.status === 403) throw this.error(`Jellyfin answered ${res.status} for ${path}`, 'unauthorised', res.status);
    if (res.status < 200 || res.status >= 300) throw this.error(`Jellyfin answered ${res.status} for ${path}`, 'refused', res.status);
    const parsed = ItemsSchema.safeParse(parseJson(res.text));
    if (!parsed.success) throw this.error(`unexpected answer from ${path}: ${formatIssues(parsed.error)}`, 'bad-answer');
    return parsed.data.Items;
  }

  items(params: Record<string, string>): Promise<JellyfinItem[]> {
    return this.get('/Items', { Recursive: 'true', ...params });
  }

  episodes(seriesId: string): Promise<JellyfinItem[]> {
    return this.get(`/Shows/${encodeURIComponent(seriesId)}/Episodes`, {});
  }
}

export function playable(item: JellyfinItem): boolean {
  return item.LocationType !== 'Virtual' && (!!item.Path || !!item.MediaSources?.some((source) => source.Path));
}

function providerId(item: JellyfinItem, name: 'Tmdb' | 'Tvdb' | 'Imdb'): string | undefined {
  const entry = Object.entries(item.ProviderIds ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry?.[1] ?? undefined;
}

/** "Title" matches "Title", "title", "Title (2021)"-less names and "Title: Subtitle" against "Title: Subtitle". */
function sameTitle(name: string | undefined, title: string): boolean {
  const a = (name ?? '').trim().toLowerCase();
  const b = title.trim().toLowerCase();
  return !!a && (a === b || a.startsWith(`${b} `));
}

function episodeKeysOf(item: JellyfinItem): EpisodeKey[] {
  if (item.ParentIndexNumber === undefined || item.IndexNumber === undefined) return [];
  const last = item.IndexNumberEnd && item.IndexNumberEnd > item.IndexNumber ? item.IndexNumberEnd : item.IndexNumber;
  const keys: EpisodeKey[] = [];
  for (let episode = item.IndexNumber; episode <= last; episode++) keys.push({ season: item.ParentIndexNumber, episode });
  return keys;
}

type Available = MediaEventOf<'available'>;

function found(record: RequestRecord, at: string, item: JellyfinItem | undefined, episodes: EpisodeKey[] = []): Available | undefined {
  if (!item) return undefined;
  const { tmdb, tvdb, imdb } = record.ids;
  return {
    source: 'jellyfin',
    at,
    kind: 'available',
    media: {
      mediaType: record.mediaType,
      ids: { tmdb: tmdb ?? undefined, tvdb: tvdb ?? undefined, imdb: imdb ?? undefined, jellyfin: item.Id },
      title: record.title ?? undefined,
    },
    episodes,
    jellyfinItemId: item.Id,
  };
}

/** A series' first playable episode, for a Series item standing in for a movie. */
async function playableEpisodeOf(client: JellyfinClient, series: JellyfinItem): Promise<JellyfinItem | undefined> {
  return (await client.episodes(series.Id)).find(playable);
}

/**
 * A movie: as a Movie with its TMDB (or IMDb) id; then as a Series with that id (anime re-categorised by
 * Shoko); then any item with that id; then by title and year (a recap movie shown as a series special).
 */
async function findMovie(client: JellyfinClient, record: RequestRecord, at: string): Promise<Available | undefined> {
  const tmdb = record.ids.tmdb === null ? undefined : String(record.ids.tmdb);
  const imdb = record.ids.imdb ?? undefined;
  const search: Record<string, string> = record.title ? { SearchTerm: record.title } : record.year ? { Years: String(record.year) } : {};
  const ours = (item: JellyfinItem) => (!!tmdb && providerId(item, 'Tmdb') === tmdb) || (!!imdb && providerId(item, 'Imdb') === imdb);

  const movie = (await client.items({ IncludeItemTypes: 'Movie', HasTmdbId: 'true', ...search })).find((i) => ours(i) && playable(i));
  if (movie) return found(record, at, movie);
  for (const series of (await client.items({ IncludeItemTypes: 'Series', ...search })).filter(ours)) {
    const episode = await playableEpisodeOf(client, series);
    if (episode) return found(record, at, episode);
  }
  const any = (await client.items(search)).find((i) => ours(i) && playable(i));
  if (any) return found(record, at, any);
  if (!record.title) return undefined;
  const titled = (await client.items({ SearchTerm: record.title, IncludeItemTypes: 'Movie,Series,Episode' })).filter(
    (i) => sameTitle(i.Name, record.title!) && (!record.year || !i.ProductionYear || i.ProductionYear === record.year),
  );
  for (const item of titled) {
    if (item.Type === 'Series') {
      const episode = await playableEpisodeOf(client, item);
      if (episode) return found(record, at, episode);
    } else if (playable(item)) return found(record, at, item);
  }
  return undefined;
}

/**
 * A show: its Series by TVDB (else TMDB) id, then the playable episodes among those tracked, or,
 * for a request with no episodes yet (media that was already there), any playable episode of the
 * requested seasons: then the whole request is there.
 */
async function findShow(client: JellyfinClient, record: RequestRecord, at: string): Promise<Available | undefined> {
  const tvdb = record.ids.tvdb === null ? undefined : String(record.ids.tvdb);
  const tmdb = record.ids.tmdb === null ? undefined : String(record.ids.tmdb);
  const search: Record<string, string> = record.title ? { SearchTerm: record.title } : {};
  const candidates = await client.items({ IncludeItemTypes: 'Series', ...search });
  const series = candidates.find((i) => !!tvdb && providerId(i, 'Tvdb') === tvdb) ?? candidates.find((i) => !!tmdb && providerId(i, 'Tmdb') === tmdb);
  if (!series) return undefined;
  const playing = new Map<string, JellyfinItem>();
  for (const item of (await client.episodes(series.Id)).filter(playable)) for (const key of episodeKeysOf(item)) playing.set(episodeKey(key), item);
  if (!record.episodes.length) {
    const seasons = record.requestedSeasons;
    const any = [...playing.entries()].find(([, item]) => !seasons.length || seasons.includes(item.ParentIndexNumber ?? -1));
    return any ? found(record, at, series) : undefined;
  }
  const waiting = record.episodes.filter((e) => e.state !== 'AVAILABLE' && playing.has(episodeKey(e)));
  if (!waiting.length) return undefined;
  const event = found(
    record,
    at,
    series,
    waiting.map(({ season, episode }) => ({ season, episode })),
  );
  // One item per episode: when only one is named, its item id is the episode's.
  const [only] = waiting;
  if (event && only && waiting.length === 1) event.jellyfinItemId = playing.get(episodeKey(only))!.Id;
  else if (event) delete event.jellyfinItemId;
  return event;
}

/** An "available" event when Jellyfin can play (some of) the request, else undefined. */
export function findInJellyfin(client: JellyfinClient, record: RequestRecord, at: string): Promise<Available | undefined> {
  return record.mediaType === 'movie' ? findMovie(client, record, at) : findShow(client, record, at);
}
