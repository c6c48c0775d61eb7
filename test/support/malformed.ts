import { clone, fixture, fixtureText, type Body } from './fixtures';

/**
 * A corpus of malformed webhook bodies, each aimed at one endpoint: truncated JSON, wrong types,
 * missing keys, huge strings, `__proto__` keys, arrays for objects, empty and non-JSON bodies.
 * Every one of them must be refused with a 400 naming what is wrong.
 */
export interface Malformed {
  name: string;
  source: 'jellyseerr' | 'radarr' | 'sonarr' | 'jellyfin';
  body: string;
}

const SOURCES: Record<Malformed['source'], string[]> = {
  jellyseerr: [
    'jellyseerr-media-pending',
    'jellyseerr-media-auto-approved-tv',
    'jellyseerr-media-available',
    'jellyseerr-media-declined',
    'jellyseerr-issue-created',
  ],
  radarr: ['radarr-grab', 'radarr-import', 'radarr-movie-added', 'radarr-manual-interaction-required', 'radarr-movie-file-delete'],
  sonarr: [
    'sonarr-grab-season-pack',
    'sonarr-import-complete-season-pack',
    'sonarr-import-per-file-from-season-pack',
    'sonarr-episode-file-delete',
    'sonarr-series-add',
  ],
  jellyfin: ['jellyfin-item-added-movie', 'jellyfin-item-added-episode', 'jellyfin-item-added-movie-template'],
};

/** Paths tracking cannot do without, per fixture, with values of the wrong type for them. */
const REQUIRED: Record<string, (string | number)[][]> = {
  'jellyseerr-media-pending': [['notification_type'], ['media', 'media_type'], ['media', 'tmdbId'], ['request', 'request_id']],
  'jellyseerr-issue-created': [['notification_type'], ['media', 'media_type'], ['media', 'tmdbId']],
  'radarr-grab': [['eventType'], ['movie'], ['movie', 'id'], ['movie', 'title'], ['movie', 'tmdbId']],
  'radarr-import': [['movie', 'tmdbId'], ['movieFile'], ['movieFile', 'path']],
  'sonarr-grab-season-pack': [
    ['eventType'],
    ['series'],
    ['series', 'tvdbId'],
    ['series', 'title'],
    ['episodes'],
    ['episodes', 0, 'seasonNumber'],
    ['episodes', 12, 'episodeNumber'],
  ],
  'sonarr-import-complete-season-pack': [['series', 'id'], ['episodes'], ['episodeFiles', 3, 'path']],
  'sonarr-import-per-file-from-season-pack': [
    ['episodeFile', 'path'],
    ['episodes', 0, 'episodeNumber'],
  ],
  'jellyfin-item-added-movie': [['NotificationType']],
};

const WRONG_VALUES: unknown[] = [null, true, { nested: 1 }, ['list'], '%%', -3.5];

function setPath(body: Body, path: (string | number)[], value: unknown): Body {
  const copy = clone(body);
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key];
  target[path[path.length - 1]!] = value;
  return copy;
}

function deletePath(body: Body, path: (string | number)[]): Body {
  const copy = clone(body);
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key];
  if (Array.isArray(target)) target.splice(Number(path[path.length - 1]), 1, undefined);
  else delete target[path[path.length - 1]!];
  return copy;
}

/** Is `value` acceptable for `path` of this fixture? (A string id for Jellyseerr is, a title string is.) */
function acceptable(name: string, path: (string | number)[], value: unknown): boolean {
  const last = path[path.length - 1];
  if (typeof value === 'string' && (last === 'title' || last === 'path' || last === 'eventType' || last === 'notification_type' || last === 'NotificationType'))
    return true;
  if (name.startsWith('jellyseerr') && typeof value === 'number' && (last === 'tmdbId' || last === 'request_id')) return value > 0 && Number.isInteger(value);
  return false;
}

export function malformedCorpus(): Malformed[] {
  const corpus: Malformed[] = [];
  const add = (name: string, source: Malformed['source'], body: unknown) =>
    corpus.push({ name, source, body: typeof body === 'string' ? body : JSON.stringify(body) });

  // Truncated JSON at several points of every fixture.
  for (const [source, names] of Object.entries(SOURCES) as [Malformed['source'], string[]][]) {
    for (const name of names) {
      const text = fixtureText(name);
      for (const fraction of [0.02, 0.25, 0.5, 0.75, 0.99]) add(`${name} truncated at ${fraction}`, source, text.slice(0, Math.floor(text.length * fraction)));
    }
  }

  // Wrong types and missing keys on what tracking needs.
  for (const [name, paths] of Object.entries(REQUIRED)) {
    const source = (Object.keys(SOURCES) as Malformed['source'][]).find((s) => SOURCES[s].includes(name))!;
    const body = fixture(name);
    for (const path of paths) {
      add(`${name} without ${path.join('.')}`, source, deletePath(body, path));
      for (const value of WRONG_VALUES) {
        if (!acceptable(name, path, value)) add(`${name} ${path.join('.')} = ${JSON.stringify(value)}`, source, setPath(body, path, value));
      }
    }
  }

  // Ids that are not ids.
  const pending = fixture('jellyseerr-media-pending');
  for (const value of ['abc', '12.5', '-1', '0x10', '1e3', '0'])
    add(`jellyseerr tmdbId "${value}"`, 'jellyseerr', setPath(pending, ['media', 'tmdbId'], value));
  add('jellyseerr media_type "film"', 'jellyseerr', setPath(pending, ['media', 'media_type'], 'film'));
  add('jellyseerr media null on a request', 'jellyseerr', setPath(pending, ['media'], null));
  const template = fixture('jellyfin-item-added-movie-template');
  for (const key of ['Year', 'SeasonNumber', 'EpisodeNumber', 'Provider_tmdb'])
    add(`jellyfin template ${key} "one"`, 'jellyfin', { ...template, [key]: 'one' });
  // An ItemAdded without its type (an unknown type is fine: ignored).
  add('jellyfin template ItemType ""', 'jellyfin', { ...template, ItemType: '' });
  add('jellyfin movie without ItemType', 'jellyfin', deletePath(fixture('jellyfin-item-added-movie'), ['ItemType']));
  add('jellyfin episode without ItemType', 'jellyfin', deletePath(fixture('jellyfin-item-added-episode'), ['ItemType']));

  // Huge strings where tracking reads them.
  const huge = 'x'.repeat(200_000);
  add('radarr huge title', 'radarr', setPath(fixture('radarr-grab'), ['movie', 'title'], huge));
  add('radarr huge downloadId', 'radarr', setPath(fixture('radarr-grab'), ['downloadId'], huge));
  add('sonarr huge file path', 'sonarr', setPath(fixture('sonarr-import-per-file-from-season-pack'), ['episodeFile', 'path'], huge));
  add('sonarr huge eventType', 'sonarr', setPath(fixture('sonarr-grab-season-pack'), ['eventType'], huge));
  add('jellyseerr huge subject', 'jellyseerr', setPath(pending, ['subject'], huge));
  add('jellyseerr huge notification_type', 'jellyseerr', setPath(pending, ['notification_type'], huge));
  add('jellyfin huge Name', 'jellyfin', { ...fixture('jellyfin-item-added-movie'), Name: huge });
  add('jellyfin huge ItemId', 'jellyfin', { ...fixture('jellyfin-item-added-movie'), ItemId: huge });
  add(
    'sonarr 20000 episodes',
    'sonarr',
    setPath(
      fixture('sonarr-grab-season-pack'),
      ['episodes'],
      Array.from({ length: 20000 }, (_, i) => ({ episodeNumber: i, seasonNumber: 1 })),
    ),
  );

  // __proto__ keys (JSON.parse makes them own properties; nothing may be read through them).
  const grabText = fixtureText('radarr-grab');
  add('__proto__ holding the whole body', 'radarr', `{"__proto__": ${grabText}}`);
  add('movie.__proto__ holding tmdbId', 'radarr', grabText.replace('"tmdbId": 533514,', '"__proto__": {"tmdbId": 533514},'));
  add('series.__proto__ holding tvdbId', 'sonarr', fixtureText('sonarr-grab-season-pack').replace('"tvdbId": 414057,', '"__proto__": {"tvdbId": 414057},'));
  add(
    'media.__proto__ holding media_type',
    'jellyseerr',
    fixtureText('jellyseerr-media-pending').replace('"media_type": "movie",', '"__proto__": {"media_type": "movie"},'),
  );
  add('constructor.prototype', 'radarr', '{"constructor": {"prototype": {"eventType": "Grab"}}}');
  add('__proto__ only', 'jellyfin', '{"__proto__": {"NotificationType": "ItemAdded", "ItemType": "Movie"}}');

  // Arrays where objects belong.
  add('body is an array', 'radarr', `[${grabText}]`);
  add('body is an empty array', 'sonarr', '[]');
  add('movie is an array', 'radarr', setPath(fixture('radarr-grab'), ['movie'], [fixture('radarr-grab').movie]));
  add('series is an array', 'sonarr', setPath(fixture('sonarr-grab-season-pack'), ['series'], []));
  add('episodes is an object', 'sonarr', setPath(fixture('sonarr-grab-season-pack'), ['episodes'], { 0: fixture('sonarr-grab-season-pack').episodes[0] }));
  add('media is an array', 'jellyseerr', setPath(pending, ['media'], [pending.media]));
  add('request is an array', 'jellyseerr', setPath(pending, ['request'], []));

  // Empty, scalar and non-JSON bodies.
  for (const source of Object.keys(SOURCES) as Malformed['source'][]) {
    for (const [label, text] of [
      ['empty', ''],
      ['whitespace', '   \n'],
      ['null', 'null'],
      ['number', '42'],
      ['string', '"Grab"'],
      ['true', 'true'],
      ['empty object', '{}'],
      ['xml', '<event type="Grab"/>'],
      ['form encoded', 'eventType=Grab&movie=1'],
      ['binary', '\u0000\u0001\u0002\u00ff'],
    ]) {
      add(`${source} ${label} body`, source, text);
    }
  }
  return corpus;
}
