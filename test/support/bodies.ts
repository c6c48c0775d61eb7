import { clone, fixture, type Body } from './fixtures';

/**
 * Webhook bodies for whole journeys, built from the fixtures (which follow payloads.md) with the
 * ids and titles of the media under test swapped in.
 */

export interface MovieSpec {
  requestId: number;
  tmdb: number;
  imdb: string;
  title: string;
  year: number;
  radarrId: number;
  hash: string;
  anime: boolean;
}

export interface ShowSpec {
  requestId: number;
  tvdb: number;
  tmdb: number;
  title: string;
  year: number;
  sonarrId: number;
  hash: string;
  anime: boolean;
  season: number;
  episodes: number;
  /** Episode n has TVDB id episodeTvdbBase + n. */
  episodeTvdbBase: number;
}

export const VIOLET: MovieSpec = {
  requestId: 69,
  tmdb: 533514,
  imdb: 'tt8652818',
  title: 'Violet Evergarden: The Movie',
  year: 2020,
  radarrId: 52,
  hash: 'C2C60F66C126652A86F7F2EE73DC83D4E255929E',
  anime: true,
};
export const INTERSTELLAR: MovieSpec = {
  requestId: 80,
  tmdb: 157336,
  imdb: 'tt0816692',
  title: 'Interstellar',
  year: 2014,
  radarrId: 60,
  hash: '9A3E4F1B2C6D8E0F1A2B3C4D5E6F7A8B9C0D1E2F',
  anime: false,
};
export const LYCORIS: ShowSpec = {
  requestId: 68,
  tvdb: 414057,
  tmdb: 154494,
  title: 'Lycoris Recoil',
  year: 2022,
  sonarrId: 23,
  hash: '3F92992E2FBEB6EBB251304236BF5E0B600A91C3',
  anime: true,
  season: 1,
  episodes: 13,
  episodeTvdbBase: 9300000,
};
export const SEVERANCE: ShowSpec = {
  requestId: 81,
  tvdb: 371980,
  tmdb: 95396,
  title: 'Severance',
  year: 2022,
  sonarrId: 31,
  hash: '7D1C2B3A4F5E6D7C8B9A0F1E2D3C4B5A6F7E8D9C',
  anime: false,
  season: 1,
  episodes: 9,
  episodeTvdbBase: 7100000,
};

const pad = (n: number) => String(n).padStart(2, '0');
/** The Jellyfin item id the bodies give a movie (its TMDB id) or an episode (its TVDB id). */
export const itemId = (seed: number) => seed.toString(16).padStart(32, '0');

export function movieBodies(m: MovieSpec) {
  const subject = `${m.title} (${m.year})`;
  const pending = clone(fixture('jellyseerr-media-pending'));
  Object.assign(pending, { subject });
  Object.assign(pending.media, { tmdbId: String(m.tmdb), tvdbId: '' });
  pending.request.request_id = String(m.requestId);
  const approved = { ...clone(pending), notification_type: 'MEDIA_APPROVED', event: 'Movie Request Approved' };
  const available = { ...clone(pending), notification_type: 'MEDIA_AVAILABLE', event: 'Movie Request Now Available' };

  const movie = (body: Body) => {
    Object.assign(body.movie, { id: m.radarrId, title: m.title, year: m.year, tmdbId: m.tmdb, imdbId: m.imdb, tags: m.anime ? ['anime'] : [] });
    if (body.remoteMovie) Object.assign(body.remoteMovie, { tmdbId: m.tmdb, imdbId: m.imdb, title: m.title, year: m.year });
    return body;
  };
  const grab = movie(clone(fixture('radarr-grab')));
  grab.downloadId = m.hash;
  const folder = `/data/${m.anime ? 'anime/' : ''}movies/${m.title} (${m.year})`;
  const imported = movie(clone(fixture('radarr-import')));
  imported.downloadId = m.hash;
  Object.assign(imported.movieFile, { path: `${folder}/${m.title} (${m.year}) [Bluray-1080p].mkv`, relativePath: `${m.title} (${m.year}) [Bluray-1080p].mkv` });

  const jellyfin = clone(fixture('jellyfin-item-added-movie'));
  Object.assign(jellyfin, { Name: m.title, Year: m.year, Provider_tmdb: String(m.tmdb), Provider_imdb: m.imdb, ItemId: itemId(m.tmdb) });
  return { pending, approved, available, grab, imported, jellyfin, folder };
}

export function showBodies(s: ShowSpec) {
  const numbers = Array.from({ length: s.episodes }, (_, i) => i + 1);
  const approved = clone(fixture('jellyseerr-media-auto-approved-tv'));
  Object.assign(approved, { subject: `${s.title} (${s.year})` });
  Object.assign(approved.media, { tmdbId: String(s.tmdb), tvdbId: String(s.tvdb) });
  approved.request.request_id = String(s.requestId);
  approved.extra = [{ name: 'Requested Seasons', value: String(s.season) }];
  const pending = { ...clone(approved), notification_type: 'MEDIA_PENDING', event: 'New Series Request' };
  const available = { ...clone(approved), notification_type: 'MEDIA_AVAILABLE', event: 'Series Request Now Available' };

  const folder = `/data/${s.anime ? 'anime/' : ''}shows/${s.title}`;
  const series = (body: Body) => {
    Object.assign(body.series, {
      id: s.sonarrId,
      title: s.title,
      year: s.year,
      tvdbId: s.tvdb,
      tmdbId: s.tmdb,
      path: folder,
      type: s.anime ? 'anime' : 'standard',
    });
    return body;
  };
  const episode = (n: number) => ({
    id: s.sonarrId * 1000 + n,
    episodeNumber: n,
    seasonNumber: s.season,
    title: `Episode ${n}`,
    seriesId: s.sonarrId,
    tvdbId: s.episodeTvdbBase + n,
  });
  const fileName = (n: number) => `${s.title.replace(/ /g, '.')}.S${pad(s.season)}E${pad(n)}.1080p.BluRay.x265-GRP.mkv`;
  const file = (n: number) => ({
    id: s.sonarrId * 1000 + n,
    relativePath: `Season ${s.season}/${fileName(n)}`,
    path: `${folder}/Season ${s.season}/${fileName(n)}`,
    quality: 'Bluray-1080p',
    qualityVersion: 1,
    size: 1_000_000_000,
    dateAdded: '2026-01-22T04:30:00.0000000Z',
  });

  const grab = (episodeNumbers = numbers, hash = s.hash) => {
    const body = series(clone(fixture('sonarr-grab-season-pack')));
    body.episodes = episodeNumbers.map(episode);
    body.downloadId = hash;
    return body;
  };
  const importFile = (n: number, hash = s.hash) => {
    const body = series(clone(fixture('sonarr-import-per-file-from-season-pack')));
    body.episodes = [episode(n)];
    body.episodeFile = { ...file(n), sourcePath: `/data/downloads/complete/${fileName(n)}` };
    body.downloadId = hash;
    return body;
  };
  const importComplete = (episodeNumbers = numbers, hash = s.hash) => {
    const body = series(clone(fixture('sonarr-import-complete-season-pack')));
    body.episodes = episodeNumbers.map(episode);
    body.episodeFiles = episodeNumbers.map(file);
    body.fileCount = episodeNumbers.length;
    body.downloadId = hash;
    body.destinationPath = `${folder}/Season ${s.season}`;
    return body;
  };
  const jellyfinEpisode = (n: number) => {
    const body = clone(fixture('jellyfin-item-added-episode-tvdb'));
    Object.assign(body, {
      Name: `Episode ${n}`,
      SeriesName: s.title,
      SeasonNumber: s.season,
      EpisodeNumber: n,
      Provider_tvdb: String(s.episodeTvdbBase + n),
      ItemId: itemId(s.episodeTvdbBase + n),
    });
    return body;
  };
  return { numbers, pending, approved, available, grab, importFile, importComplete, jellyfinEpisode, folder, file };
}

/** The ordered webhooks of a whole journey, Jellyseerr to Jellyfin, as [source, body] pairs. */
export type Hook = ['jellyseerr' | 'radarr' | 'sonarr' | 'jellyfin', Body];

export function movieJourney(m: MovieSpec): Hook[] {
  const b = movieBodies(m);
  return [
    ['jellyseerr', b.pending],
    ['jellyseerr', b.approved],
    ['radarr', b.grab],
    ['radarr', b.imported],
    ['jellyfin', b.jellyfin],
  ];
}

export function showJourney(s: ShowSpec): Hook[] {
  const b = showBodies(s);
  return [
    ['jellyseerr', b.pending],
    ['jellyseerr', b.approved],
    ['sonarr', b.grab()],
    ...b.numbers.map((n): Hook => ['sonarr', b.importFile(n)]),
    ['sonarr', b.importComplete()],
    ...b.numbers.map((n): Hook => ['jellyfin', b.jellyfinEpisode(n)]),
  ];
}

/**
 * Shoko's events for one imported file, as SignalR invocation arguments (5.x models). Shoko sees the
 * file relative to its import folder `folder` (id `folderId`), here `/data` as in the reference
 * deployment, while the arrs report absolute paths.
 */
export function shokoFile(absolutePath: string, fileId: number, folder = '/data', folderId = 1) {
  const relative = absolutePath.startsWith(`${folder}/`) ? absolutePath.slice(folder.length + 1) : absolutePath.replace(/^\/+/, '');
  const base = { FileID: fileId, FileLocationID: fileId + 9, ImportFolderID: folderId, RelativePath: relative };
  const xref = { EpisodeID: 10000 + fileId, AnidbEpisodeID: 200000 + fileId, SeriesID: 300, AnidbAnimeID: 16934, GroupID: 298 };
  return {
    relative,
    detected: () => ['ShokoEvent:FileDetected', { RelativePath: relative, ImportFolderID: folderId }] as const,
    hashed: () => ['ShokoEvent:FileHashed', { ...base, CrossReferences: [] }] as const,
    matched: () => ['ShokoEvent:FileMatched', { ...base, CrossReferences: [xref] }] as const,
    matchedWithoutLinks: () => ['ShokoEvent:FileMatched', { ...base, CrossReferences: [] }] as const,
    notMatched: (attempts = 1) =>
      ['ShokoEvent:FileNotMatched', { AutoMatchAttempts: attempts, HasCrossReferences: false, IsUDPBanned: false, ...base, CrossReferences: [] }] as const,
    rescan: () =>
      ['ShokoEvent:FileNotMatched', { AutoMatchAttempts: 2, HasCrossReferences: true, IsUDPBanned: false, ...base, CrossReferences: [xref] }] as const,
  };
}

/** A Jellyfin ItemAdded from a Shokofin library for one Shoko file (no TVDB/TMDB ids there). */
export function jellyfinShokoEpisode(seriesName: string, season: number, episode: number, fileId: number) {
  const body = clone(fixture('jellyfin-item-added-episode'));
  Object.assign(body, {
    SeriesName: seriesName,
    SeasonNumber: season,
    EpisodeNumber: episode,
    ItemId: itemId(5_000_000 + fileId),
    'Provider_shoko file': String(fileId),
  });
  return body;
}
