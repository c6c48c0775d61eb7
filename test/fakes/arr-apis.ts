import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeServer } from './fake-server';
import { clone, fixture, type Body } from '../support/fixtures';

/**
 * Radarr, Sonarr and Jellyseerr REST APIs at the wire (service-apis.md), built on the reference's
 * sample bodies (fixtures/api): X-Api-Key or 401 with an empty body; the arrs' paged queue
 * (pageSize, totalRecords), `/history/since` (>= date, oldest first), `/episode?seriesId=`;
 * Jellyseerr's `/request` (filter all/unavailable, newest first, take/skip, pageInfo), `/request/{id}`,
 * `/movie/{tmdbId}`, `/tv/{tmdbId}`. Every call is recorded; a server can be taken down.
 */
abstract class FakeApi extends FakeServer {
  readonly calls: string[] = [];
  down = false;

  constructor(protected readonly apiKey: string) {
    super();
  }

  /** The next answer to any call, instead of the real one (a service refusing: 500 with its message). */
  failNext: { status: number; body: unknown } | undefined;
  /** While set, every call waits for it before it is answered (a slow service, held by the test). */
  hold: Promise<void> | undefined;
  /** Calls being answered now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    if (this.down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    let text = '';
    for await (const chunk of req) text += chunk;
    this.calls.push(`${req.method} ${url.pathname}${url.search}${text ? ` ${text}` : ''}`);
    await this.hold;
    if (req.headers['x-api-key'] !== this.apiKey) {
      res.writeHead(401).end();
      return;
    }
    if (this.failNext) {
      const { status, body } = this.failNext;
      this.failNext = undefined;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    const answer = this.answer(url, req.method ?? 'GET', text ? (JSON.parse(text) as Body) : undefined);
    if (answer === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'NotFound' }));
      return;
    }
    if (answer instanceof Reply) {
      res
        .writeHead(answer.status, answer.body === undefined ? {} : { 'content-type': 'application/json' })
        .end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  }

  protected abstract answer(url: URL, method: string, body: Body): unknown;
}

const sample = (name: string) => fixture(`api/${name}`) as Body;

/** An answer with its own status (and no body for 200/204 empties). */
class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
  ) {}
}

export class FakeArr extends FakeApi {
  queue: Body[] = [];
  history: Body[] = [];
  /** The library: Radarr's movies (`/movie?tmdbId=`), Sonarr's series (`/series?tvdbId=`); empty: it has none of them. */
  movies: Body[] = [];
  series: Body[] = [];
  /** Episodes by series id. */
  episodes = new Map<number, Body[]>();
  /** What an interactive search (`GET /api/v3/release?movieId=` or `?episodeId=`) finds, by that id. */
  releases = new Map<number, Body[]>();
  private nextHistoryId = 1000;

  constructor(
    readonly kind: 'radarr' | 'sonarr',
    apiKey = `${kind}-key`,
  ) {
    super(apiKey);
  }

  /** The example flow's environment variables that point it here, with the secret this fake accepts. */
  exampleEnv(): Record<string, string> {
    const prefix = this.kind.toUpperCase();
    return { [`${prefix}_URL`]: this.url, [`${prefix}_API_KEY`]: this.apiKey };
  }

  /** Commands received (POST /api/v3/command bodies), and queue items removed (id, query). */
  readonly commands: Body[] = [];
  readonly removals: { id: number; query: string }[] = [];
  private nextCommandId = 1800;

  protected answer(url: URL, method: string, body: Body): unknown {
    const q = url.searchParams;
    const queueItem = /^\/api\/v3\/queue\/(\d+)$/.exec(url.pathname);
    if (method === 'DELETE' && queueItem) {
      // Acts on the whole download; 200 with an empty body, 404 for an unknown id (service-apis.md 3.5).
      const id = Number(queueItem[1]);
      const item = this.queue.find((r) => r.id === id);
      if (!item) return undefined;
      this.removals.push({ id, query: url.search });
      this.queue = this.queue.filter((r) => r.downloadId !== item.downloadId);
      return new Reply(200);
    }
    if (method === 'POST' && url.pathname === '/api/v3/command') {
      this.commands.push(body);
      const id = this.nextCommandId++;
      return new Reply(201, {
        ...body,
        commandName: body.name,
        body: { ...body, trigger: 'manual' },
        priority: 'normal',
        status: 'queued',
        result: 'unknown',
        queued: new Date().toISOString(),
        trigger: 'manual',
        id,
      });
    }
    switch (url.pathname) {
      case '/api/v3/queue': {
        const page = Number(q.get('page') ?? 1);
        const pageSize = Number(q.get('pageSize') ?? 10);
        const records = this.queue.slice((page - 1) * pageSize, page * pageSize).map((r) => this.embed(r, q));
        return { page, pageSize, sortKey: q.get('sortKey') ?? 'timeleft', sortDirection: 'descending', totalRecords: this.queue.length, records };
      }
      case '/api/v3/history/since': {
        const date = q.get('date') ?? '0001-01-01T00:00:00Z';
        return this.history.filter((r) => Date.parse(r.date) >= Date.parse(date)).map((r) => this.embed(r, q));
      }
      case '/api/v3/episode':
        return this.episodes.get(Number(q.get('seriesId'))) ?? [];
      case '/api/v3/movie':
        return this.movies.filter((m) => !q.has('tmdbId') || m.tmdbId === Number(q.get('tmdbId')));
      case '/api/v3/release':
        return this.releases.get(Number(q.get('movieId') ?? q.get('episodeId'))) ?? [];
      case '/api/v3/series':
        return this.series.filter((m) => !q.has('tvdbId') || m.tvdbId === Number(q.get('tvdbId')));
      default:
        return undefined;
    }
  }

  /** Embeds only when asked for, as the arrs do. */
  private embed(record: Body, q: URLSearchParams): Body {
    const copy = clone(record);
    if (q.get('includeMovie') !== 'true') delete copy.movie;
    if (q.get('includeSeries') !== 'true') delete copy.series;
    if (q.get('includeEpisode') !== 'true') delete copy.episode;
    return copy;
  }

  /** A history record like the reference's, oldest first by id; `date` defaults to now without fractions. */
  addHistory(record: Body): Body {
    const full = { ...record, id: this.nextHistoryId++, date: record.date ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    this.history.push(full);
    this.history.sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.id - b.id);
    return full;
  }
}

export interface MovieSpec {
  id: number;
  title: string;
  year: number;
  tmdbId: number;
}

export interface SeriesSpec {
  id: number;
  title: string;
  year: number;
  tvdbId: number;
  tmdbId: number;
  path?: string;
}

export function radarrMovie(spec: MovieSpec): Body {
  return { ...sample('radarr-queue').records[0].movie, ...spec, titleSlug: String(spec.tmdbId) };
}

export function sonarrSeries(spec: SeriesSpec): Body {
  return { ...sample('sonarr-queue').records[0].series, ...spec, path: spec.path ?? `/data/shows/${spec.title}` };
}

/** Sonarr episodes 1..n of a season, aired weekly from `firstAir` (ISO date), ids from `firstId`. */
export function sonarrEpisodes(seriesId: number, season: number, count: number, firstAir: string, firstId = seriesId * 1000): Body[] {
  const template = sample('sonarr-queue').records[0].episode;
  return Array.from({ length: count }, (_, i) => {
    const air = new Date(Date.parse(firstAir) + i * 7 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      ...template,
      id: firstId + i,
      seriesId,
      tvdbId: firstId * 10 + i,
      seasonNumber: season,
      episodeNumber: i + 1,
      title: `Episode ${i + 1}`,
      airDate: air.slice(0, 10),
      airDateUtc: air,
      hasFile: false,
      episodeFileId: 0,
      monitored: true,
    };
  });
}

/** A Radarr queue record for a movie download. */
export function radarrQueueRecord(movie: Body, downloadId: string, changes: Body = {}): Body {
  const template = sample('radarr-queue').records[0];
  return { ...template, movieId: movie.id, movie, downloadId, id: parseInt(downloadId.slice(0, 7), 16), statusMessages: [], ...changes };
}

/** Sonarr queue records for a download holding these episodes (one record per episode). */
export function sonarrQueueRecords(series: Body, episodes: Body[], downloadId: string, changes: Body = {}): Body[] {
  const template = sample('sonarr-queue').records[0];
  return episodes.map((episode) => ({
    ...template,
    seriesId: series.id,
    series,
    episodeId: episode.id,
    episode,
    seasonNumber: episode.seasonNumber,
    downloadId,
    id: parseInt(downloadId.slice(0, 6), 16) + episode.id,
    statusMessages: [],
    ...changes,
  }));
}

/** An arr history record's body (eventType, data) for a movie or series episode, like the reference's. */
export function radarrHistory(movie: Body, eventType: string, downloadId: string | undefined, data: Body, date?: string): Body {
  return historyRecord('radarr-history-since', { movieId: movie.id, movie }, eventType, downloadId, data, date);
}

export function sonarrHistory(series: Body, episode: Body, eventType: string, downloadId: string | undefined, data: Body, date?: string): Body {
  const subject = { seriesId: series.id, series, episodeId: episode.id, episode };
  return historyRecord('sonarr-history-since', subject, eventType, downloadId, data, date);
}

function historyRecord(sampleName: string, subject: Body, eventType: string, downloadId: string | undefined, data: Body, date?: string): Body {
  const { date: _date, ...template } = sample(sampleName)[0];
  return {
    ...template,
    ...subject,
    eventType,
    downloadId,
    data,
    sourceTitle: data.sourceTitle ?? template.sourceTitle,
    ...(date ? { date } : {}),
  };
}

/** Jellyseerr's request list and details. Requests are kept newest last; the list answers newest first. */
export class FakeJellyseerr extends FakeApi {
  readonly requests: Body[] = [];
  readonly titles = new Map<string, Body>();
  /**
   * A Jellyseerr that lies about paging: `same-page` answers the first page whatever `skip` says, with
   * a page count that grows on every call; `endless` makes up new requests for every page and says
   * there are a million pages.
   */
  lies: 'same-page' | 'endless' | undefined;
  private told = 0;

  constructor(apiKey = 'jellyseerr-key') {
    super(apiKey);
  }
  /** The example flow's environment variables that point it here, with the secret this fake accepts. */
  exampleEnv(): Record<string, string> {
    return { JELLYSEERR_URL: this.url, JELLYSEERR_API_KEY: this.apiKey };
  }

  /** A request like the reference's list entries. `status`: 1 pending ... 5 completed; `mediaStatus`: 1..7. */
  addRequest(spec: {
    id: number;
    type: 'movie' | 'tv';
    tmdbId: number;
    tvdbId?: number;
    status: number;
    mediaStatus: number;
    is4k?: boolean;
    seasons?: number[];
    requester?: string;
    arrId?: number;
    createdAt?: string;
    title?: string;
    year?: number;
  }): Body {
    const template = sample('jellyseerr-requests-page').results[0];
    const is4k = spec.is4k ?? false;
    const request = {
      ...template,
      id: spec.id,
      type: spec.type,
      status: spec.status,
      is4k,
      createdAt: spec.createdAt ?? new Date().toISOString(),
      seasons: (spec.seasons ?? []).map((n, i) => ({
        id: spec.id * 100 + i,
        seasonNumber: n,
        status: spec.status,
        createdAt: template.createdAt,
        updatedAt: template.updatedAt,
      })),
      requestedBy: { ...template.requestedBy, displayName: spec.requester ?? 'kana', jellyfinUsername: spec.requester ?? 'kana' },
      media: {
        ...template.media,
        id: spec.id + 500,
        mediaType: spec.type,
        tmdbId: spec.tmdbId,
        tvdbId: spec.tvdbId ?? null,
        status: is4k ? 1 : spec.mediaStatus,
        status4k: is4k ? spec.mediaStatus : 1,
        externalServiceId: is4k ? null : (spec.arrId ?? null),
        externalServiceId4k: is4k ? (spec.arrId ?? null) : null,
      },
    };
    this.requests.push(request);
    const detail = clone(sample(spec.type === 'movie' ? 'jellyseerr-movie-533514' : 'jellyseerr-tv-154494'));
    if (spec.type === 'movie')
      Object.assign(detail, { id: spec.tmdbId, title: spec.title ?? `Movie ${spec.tmdbId}`, releaseDate: `${spec.year ?? 2020}-01-01` });
    else Object.assign(detail, { id: spec.tmdbId, name: spec.title ?? `Show ${spec.tmdbId}`, firstAirDate: `${spec.year ?? 2020}-01-01` });
    this.titles.set(`${spec.type}:${spec.tmdbId}`, detail);
    return request;
  }

  /** Media ids forgotten with DELETE /api/v1/media/{id}. */
  readonly deletedMedia: number[] = [];

  find(id: number): Body {
    const found = this.requests.find((r) => r.id === id);
    if (!found) throw new Error(`no request ${id}`);
    return found;
  }

  protected answer(url: URL, method: string): unknown {
    const q = url.searchParams;
    const media = /^\/api\/v1\/media\/(\d+)$/.exec(url.pathname);
    if (method === 'DELETE' && media) {
      // The media row goes, and its requests with it (service-apis.md 5.5): 204.
      const id = Number(media[1]);
      const before = this.requests.length;
      this.requests.splice(0, this.requests.length, ...this.requests.filter((r) => r.media.id !== id));
      if (before === this.requests.length) return new Reply(404, { message: 'Media not found' });
      this.deletedMedia.push(id);
      return new Reply(204);
    }
    if (url.pathname === '/api/v1/request') {
      const take = Number(q.get('take') ?? 10);
      const skip = Number(q.get('skip') ?? 0);
      const filter = q.get('filter') ?? 'all';
      const mediaStatus = (r: Body) => (r.is4k ? r.media.status4k : r.media.status);
      // v3.1.0's filters (service-apis.md 5.2); BLOCKLISTED media are in neither.
      const selected = this.requests
        .filter((r) => (filter === 'unavailable' ? [1, 2].includes(r.status) && [1, 2, 3, 4].includes(mediaStatus(r)) : mediaStatus(r) !== 6))
        .sort((a, b) => b.id - a.id);
      const told = ++this.told;
      if (this.lies === 'same-page')
        return { pageInfo: { pages: 10 + told, pageSize: take, results: (10 + told) * take, page: 1 }, results: selected.slice(0, take), serviceErrors: {} };
      if (this.lies === 'endless') {
        const template = selected[0] ?? sample('jellyseerr-requests-page').results[0];
        const made = Array.from({ length: take }, (_, i) => ({ ...clone(template), id: 1_000_000 - skip - i }));
        return { pageInfo: { pages: 1_000_000, pageSize: take, results: 1_000_000 * take, page: skip / take + 1 }, results: made, serviceErrors: {} };
      }
      const results = selected.slice(skip, skip + take);
      return {
        pageInfo: { pages: Math.ceil(selected.length / take), pageSize: take, results: selected.length, page: Math.ceil(skip / take) + 1 },
        results,
        serviceErrors: { radarr: [], sonarr: [] },
      };
    }
    const byId = /^\/api\/v1\/request\/(\d+)$/.exec(url.pathname);
    if (byId) return this.requests.find((r) => r.id === Number(byId[1]));
    const detail = /^\/api\/v1\/(movie|tv)\/(\d+)$/.exec(url.pathname);
    if (detail) return this.titles.get(`${detail[1]}:${detail[2]}`);
    return undefined;
  }
}

/** A release of an interactive search (Radarr's ReleaseResource: rejected, rejections in its words). */
export function arrRelease(title: string, rejections: string[]): Body {
  return {
    guid: `guid-${title}`,
    quality: { quality: { id: 7, name: 'Bluray-1080p' }, revision: { version: 1, real: 0, isRepack: false } },
    age: 12,
    size: 8_000_000_000,
    indexerId: 1,
    indexer: 'Nyaa',
    title,
    approved: rejections.length === 0,
    temporarilyRejected: false,
    rejected: rejections.length > 0,
    rejections,
    downloadAllowed: true,
    protocol: 'torrent',
    seeders: 3,
    leechers: 1,
  };
}
