import { fileNameOf } from '../file-path';
import type { Connection } from './sqlite';

/**
 * Versioned schema. Entry i brings the database to version i + 1 (kept in PRAGMA user_version): SQL,
 * or a function for steps SQL cannot do alone. Each runs in its own transaction.
 * Never edit a released entry; append a new one.
 */
type Migration = string | ((db: Connection) => Promise<void>);

export const MIGRATIONS: Migration[] = [
  `
  CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    media_type TEXT NOT NULL CHECK (media_type IN ('movie', 'tv')),
    title TEXT,
    year INTEGER,
    is_anime INTEGER NOT NULL DEFAULT 0,
    stage TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_by TEXT,
    poster_url TEXT,
    info_source TEXT,
    requested_seasons TEXT NOT NULL DEFAULT '[]',
    jellyseerr_request INTEGER,
    tmdb INTEGER,
    tvdb INTEGER,
    imdb TEXT,
    radarr INTEGER,
    sonarr INTEGER,
    jellyfin TEXT,
    download_id TEXT,
    final_path TEXT,
    attention TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    state_changed_at TEXT NOT NULL,
    available_at TEXT
  );
  CREATE INDEX requests_state ON requests (state);
  CREATE INDEX requests_jellyseerr ON requests (jellyseerr_request) WHERE jellyseerr_request IS NOT NULL;
  CREATE INDEX requests_tmdb ON requests (media_type, tmdb) WHERE tmdb IS NOT NULL;
  CREATE INDEX requests_tvdb ON requests (media_type, tvdb) WHERE tvdb IS NOT NULL;
  CREATE INDEX requests_imdb ON requests (media_type, imdb) WHERE imdb IS NOT NULL;
  CREATE INDEX requests_title ON requests (media_type, title COLLATE NOCASE);

  CREATE TABLE episodes (
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    season INTEGER NOT NULL,
    episode INTEGER NOT NULL,
    title TEXT,
    state TEXT NOT NULL,
    download_id TEXT,
    final_path TEXT,
    tvdb_id INTEGER,
    jellyfin_id TEXT,
    PRIMARY KEY (request_id, season, episode)
  ) WITHOUT ROWID;
  CREATE INDEX episodes_tvdb ON episodes (tvdb_id) WHERE tvdb_id IS NOT NULL;

  CREATE TABLE downloads (
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    progress REAL NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (request_id, id)
  ) WITHOUT ROWID;
  CREATE INDEX downloads_id ON downloads (id);

  CREATE TABLE timeline (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    event TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX timeline_request ON timeline (request_id, id);

  -- What each request has already been told (see lib/tracker/facts.ts): duplicates are found here.
  CREATE TABLE facts (
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    fact TEXT NOT NULL,
    PRIMARY KEY (request_id, fact)
  ) WITHOUT ROWID;
  `,
  // 2: Shoko. Files are found by name (final_name, kept by the store), then by Shoko's file id;
  // Shoko events that arrive before their import wait in pending_events.
  async (db) => {
    await db.exec(`
      ALTER TABLE requests ADD COLUMN final_name TEXT;
      ALTER TABLE requests ADD COLUMN shoko_file_id INTEGER;
      ALTER TABLE episodes ADD COLUMN final_name TEXT;
      ALTER TABLE episodes ADD COLUMN shoko_file_id INTEGER;
      CREATE INDEX requests_final_name ON requests (final_name) WHERE final_name IS NOT NULL;
      CREATE INDEX requests_shoko_file ON requests (shoko_file_id) WHERE shoko_file_id IS NOT NULL;
      CREATE INDEX episodes_final_name ON episodes (final_name) WHERE final_name IS NOT NULL;
      CREATE INDEX episodes_shoko_file ON episodes (shoko_file_id) WHERE shoko_file_id IS NOT NULL;
      CREATE TABLE pending_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        file_name TEXT NOT NULL,
        event TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX pending_events_file ON pending_events (file_name);
    `);
    const movies = await db.all<{ id: number; final_path: string }>(
      "SELECT id, final_path FROM requests WHERE media_type = 'movie' AND final_path IS NOT NULL",
    );
    for (const m of movies) await db.run('UPDATE requests SET final_name = ? WHERE id = ?', [fileNameOf(m.final_path), m.id]);
    const episodes = await db.all<{ request_id: number; season: number; episode: number; final_path: string }>(
      'SELECT request_id, season, episode, final_path FROM episodes WHERE final_path IS NOT NULL',
    );
    for (const e of episodes) {
      await db.run('UPDATE episodes SET final_name = ? WHERE request_id = ? AND season = ? AND episode = ?', [
        fileNameOf(e.final_path),
        e.request_id,
        e.season,
        e.episode,
      ]);
    }
  },
  // 3: download progress (speed, ETA, per-episode progress) and when a request last moved, for stuck detection.
  `
  ALTER TABLE downloads ADD COLUMN speed REAL;
  ALTER TABLE downloads ADD COLUMN eta_seconds INTEGER;
  ALTER TABLE episodes ADD COLUMN progress REAL;
  ALTER TABLE requests ADD COLUMN progress_at TEXT;
  UPDATE requests SET progress_at = state_changed_at;
  CREATE INDEX requests_active_progress ON requests (state, progress_at) WHERE state NOT IN ('AVAILABLE', 'FAILED');
  `,
  // 4: the status page filters by requester.
  `CREATE INDEX requests_requested_by ON requests (requested_by, id) WHERE requested_by IS NOT NULL;`,
  // 5: bounded timelines: a repeated entry is counted, not stored again; progress entries are dropped
  // first when a request has too many (entries from before were all kept: they count as stage changes).
  `
  ALTER TABLE timeline ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE timeline ADD COLUMN last_at TEXT;
  ALTER TABLE timeline ADD COLUMN stage_change INTEGER NOT NULL DEFAULT 1;
  CREATE INDEX requests_finished ON requests (updated_at) WHERE state IN ('AVAILABLE', 'FAILED');
  ALTER TABLE pending_events ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
  UPDATE pending_events SET size = length(CAST(event AS BLOB));
  -- The byte bound sums sizes on every insert: from this index, not past each big event.
  CREATE INDEX pending_events_size ON pending_events (id, size);
  `,
  // 6: sync (a cursor per source), per-item availability and removal, arr instances (4K beside HD),
  // Sonarr's upcoming episodes. Episodes available before this version became available with their request.
  `
  ALTER TABLE requests ADD COLUMN is4k INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE requests ADD COLUMN instances TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE requests ADD COLUMN upcoming TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE requests ADD COLUMN removed_at TEXT;
  ALTER TABLE episodes ADD COLUMN available_at TEXT;
  ALTER TABLE episodes ADD COLUMN removed_at TEXT;
  ALTER TABLE downloads ADD COLUMN instance TEXT;
  UPDATE episodes SET available_at = (SELECT COALESCE(available_at, updated_at) FROM requests WHERE id = episodes.request_id) WHERE state = 'AVAILABLE';
  CREATE TABLE sync_cursors (
    source TEXT PRIMARY KEY,
    cursor TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 7: the deletion a removal will pass on after its grace period; the automatic retry's strikes.
  `
  ALTER TABLE requests ADD COLUMN deletion TEXT;
  ALTER TABLE downloads ADD COLUMN strikes INTEGER NOT NULL DEFAULT 0;
  `,
  // 8: why a request waits and when it will be ready: what the arr's record said, what its release
  // search rejected, what the download client says of a download, and each ETA given with the actual time.
  `
  ALTER TABLE requests ADD COLUMN arr_status TEXT;
  ALTER TABLE requests ADD COLUMN rejections TEXT;
  ALTER TABLE downloads ADD COLUMN client_state TEXT;
  ALTER TABLE downloads ADD COLUMN seeds INTEGER;
  ALTER TABLE downloads ADD COLUMN active_at TEXT;
  CREATE TABLE eta_predictions (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    made_at TEXT NOT NULL,
    state TEXT NOT NULL,
    -- null: no basis for an ETA then (kept, so the request is not asked again in that state).
    eta_at TEXT,
    actual_at TEXT
  );
  CREATE INDEX eta_predictions_open ON eta_predictions (request_id) WHERE actual_at IS NULL;
  CREATE INDEX eta_predictions_done ON eta_predictions (actual_at) WHERE actual_at IS NOT NULL;
  `,
  // 9: the last health notice of each arr instance (Radarr's and Sonarr's On Health Issue), cleared by
  // Health Restored, for the status page's and the sidebar's "services" line.
  `
  CREATE TABLE service_health (
    instance TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    level TEXT,
    message TEXT NOT NULL,
    check_type TEXT,
    at TEXT NOT NULL
  );
  `,
  // 10: the household's people (their settings as JSON, see people/person.ts), their personal links
  // (revoked by deleting the row), what each follows, and the store's own keys (the links' signing key).
  `
  CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    settings TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE person_links (
    id TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX person_links_person ON person_links (person_id);
  CREATE TABLE follows (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    PRIMARY KEY (person_id, request_id)
  ) WITHOUT ROWID;
  CREATE INDEX follows_request ON follows (request_id);
  CREATE TABLE store_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
];
