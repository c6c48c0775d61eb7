import { z } from 'zod';
import { RequestStateSchema } from './states';
import { id, text } from './schema-primitives';
import {
  SourceSchema,
  MediaTypeSchema,
  MediaIdsSchema,
  PendingDeletionSchema,
  ArrStatusSchema,
  RejectionsSchema,
  MediaSchema,
  EpisodeRefSchema,
  EpisodeKeySchema,
  MAX_EPISODES,
  EpisodeRefListSchema,
  ImportedFileSchema,
  ReleaseSchema,
  RECORDED_ACTIONS,
} from './event-parts';
export * from './event-parts';

/**
 * MediaEvent: the one vocabulary every node speaks. Source quirks (string ids, hash casing, two Sonarr
 * import shapes, all-string Jellyfin templates) end in the normalisers of lib/services; nothing
 * downstream knows which service spoke beyond `source`, which is kept for the timeline.
 */

const base = {
  source: SourceSchema,
  /** When the event was received, ISO-8601 UTC. */
  at: z.iso.datetime(),
};
const withMedia = { ...base, media: MediaSchema };
/** Download ids are upper case (the arrs' casing); qBittorrent's lower-case hashes are upper-cased on the way in. */
const downloadId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^a-z]*$/, 'must be upper case')
  .optional();

export const MediaEventSchema = z.discriminatedUnion('kind', [
  z.object({ ...withMedia, kind: z.literal('requested') }),
  z.object({ ...withMedia, kind: z.literal('approved'), auto: z.boolean() }),
  z.object({ ...withMedia, kind: z.literal('declined'), reason: text }),
  z.object({ ...withMedia, kind: z.literal('failed'), reason: text }),
  z.object({
    ...withMedia,
    kind: z.literal('grabbed'),
    downloadId,
    episodes: EpisodeRefListSchema,
    release: ReleaseSchema.optional(),
  }),
  z.object({
    ...withMedia,
    kind: z.literal('imported'),
    downloadId,
    episodes: EpisodeRefListSchema,
    files: z.array(ImportedFileSchema),
    /** The show's folder (Sonarr `series.path`); a movie's final path is its file. */
    folder: text.optional(),
    upgrade: z.boolean(),
  }),
  z.object({
    ...withMedia,
    kind: z.literal('available'),
    /** Empty: the whole request (a movie, or Jellyseerr saying every requested season is there). */
    episodes: EpisodeRefListSchema,
    jellyfinItemId: text.optional(),
    /** Shokofin libraries: the Shoko file the item plays, the surest key to an anime episode or movie. */
    shokoFileId: id.optional(),
  }),
  z.object({ ...withMedia, kind: z.literal('manual-interaction'), downloadId, episodes: EpisodeRefListSchema, reason: text }),
  z.object({ ...withMedia, kind: z.literal('added') }),
  z.object({
    ...withMedia,
    kind: z.literal('deleted'),
    what: z.enum(['media', 'file']),
    episodes: EpisodeRefListSchema,
    path: text.optional(),
    reason: text.optional(),
  }),
  /**
   * What an arr's queue or history says went wrong with a download: its import is blocked (the arr's
   * own words in `reason`), or it failed or was dropped (failed: its items not imported yet fail).
   */
  z.object({
    ...withMedia,
    kind: z.literal('download-problem'),
    problem: z.enum(['import-blocked', 'download-failed']),
    downloadId,
    episodes: EpisodeRefListSchema,
    reason: text,
  }),
  /**
   * Sonarr's episode list for a show's requested seasons: the monitored episodes that have aired are
   * tracked from now on (APPROVED until grabbed); `upcoming` replaces the show's list of those that have not.
   */
  z.object({
    ...withMedia,
    kind: z.literal('episodes-listed'),
    /** The request whose seasons were listed (two requests may ask for different seasons of one show). */
    requestId: id,
    episodes: EpisodeRefListSchema,
    upcoming: z
      .array(
        EpisodeKeySchema.extend({
          title: text.optional(),
          airDate: z.iso.datetime().optional(),
        }),
      )
      .max(MAX_EPISODES),
  }),
  z.object({
    ...withMedia,
    kind: z.literal('renamed'),
    files: z.array(z.object({ path: text, previousPath: text })),
  }),
  z.object({
    ...withMedia,
    kind: z.literal('issue'),
    action: z.enum(['created', 'comment', 'resolved', 'reopened']),
    issueId: id.optional(),
    issueType: text.optional(),
    message: text.optional(),
  }),
  /**
   * A Shoko file event. Shoko knows the file by a path relative to one of its import folders, not by
   * media ids, so it carries no `media`: correlation goes by path (see lib/tracker/paths.ts).
   */
  z.object({
    ...base,
    kind: z.literal('shoko-file'),
    /** The Shoko event, e.g. FileMatched. */
    name: text,
    /** seen: detected or hashed; matched: linked to AniDB; not-matched: needs a manual link; gone: deleted; moved: renamed or moved. */
    action: z.enum(['seen', 'matched', 'not-matched', 'gone', 'moved']),
    fileId: id.optional(),
    importFolderId: z.number().int().nonnegative(),
    relativePath: z.string().max(4096),
    /** Where the import folder is as the arrs see it (a path mapping or Shoko's API), when known. */
    folderPath: text.optional(),
    crossReferences: z.array(
      z.object({ anidbEpisodeId: id.optional(), anidbAnimeId: id.optional(), shokoEpisodeId: id.optional(), shokoSeriesId: id.optional() }),
    ),
    autoMatchAttempts: z.number().int().nonnegative().optional(),
  }),
  /** What the download client says about one download (qBittorrent's torrents/info, normalised). */
  z.object({
    ...base,
    kind: z.literal('download-progress'),
    downloadId: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^a-z]*$/, 'must be upper case'),
    state: z.enum(['DOWNLOADING', 'DOWNLOADED', 'FAILED']),
    /** 0..1 */
    progress: z.number().min(0).max(1),
    /** bytes per second */
    speed: z.number().nonnegative().optional(),
    /** seconds; absent when the client does not know (qBittorrent's 8640000) */
    etaSeconds: z.number().int().nonnegative().optional(),
    /** The client's own state name, e.g. stalledDL, pausedUP. */
    clientState: text,
    /** Seeds connected (qBittorrent's num_seeds). */
    seeds: z.number().int().nonnegative().optional(),
    /** The client's last activity on it (qBittorrent's last_activity). */
    activeAt: z.iso.datetime().optional(),
    /** Per-episode progress inside a multi-episode download, from its file list. */
    files: z.array(z.object({ episodes: z.array(EpisodeKeySchema), progress: z.number().min(0).max(1) })).optional(),
  }),
  /**
   * A person's (or the automatic retry's) action on a request, after the services were asked (see
   * lib/actions): recorded with who asked and why; mark-available and dismiss also correct the tracker.
   */
  z.object({
    ...base,
    kind: z.literal('action'),
    requestId: id,
    /**
     * strike: the automatic retry saw a download make no progress again (`downloadId`, `strikes` in a
     * row, 0: it moved again); retry-dry-run: it would have retried, in a dry run.
     * deletion-planned: a removal's deletion waits for its grace period (`deletion`); keep: a person
     * kept the media; deletion-cancelled: the source of truth still has the media; deletion-dry-run:
     * due, said what it would delete; deletion-sync: done.
     */
    action: z.enum([...RECORDED_ACTIONS, 'retry-dry-run', 'strike', 'deletion-planned', 'deletion-cancelled', 'deletion-dry-run', 'deletion-sync']),
    by: text,
    reason: text.optional(),
    /** The episodes it was about (empty: the whole request). */
    episodes: EpisodeRefListSchema,
    /** What was done, in words: the calls made. */
    detail: text,
    /** What makes it one action (the removal it passed on, the automatic retry's count); default: its time. */
    key: text.optional(),
    /** The deletion it plans (deletion-planned). */
    deletion: PendingDeletionSchema.optional(),
    /** What the arr's release search found (explain). */
    rejections: RejectionsSchema.optional(),
    /** A retry left a private torrent (or one of unknown privacy) in qBittorrent: a person decides when it goes. */
    keptPrivate: z.boolean().optional(),
    /** A strike's download and how many checks in a row saw it make no progress. */
    downloadId: z.string().min(1).max(200).optional(),
    strikes: z.number().int().nonnegative().max(1000).optional(),
  }),
  /** What an arr's record of a request's media says before a grab (read by the sync for requests that wait). */
  z.object({ ...withMedia, kind: z.literal('arr-status'), requestId: id, status: ArrStatusSchema }),
  /** The tracker's own finding: a request made no progress for longer than its stage allows. */
  z.object({ ...base, kind: z.literal('stuck'), requestId: id, state: RequestStateSchema, since: z.iso.datetime(), reason: text }),
  /** Shoko metadata news. Only a TMDB movie being added is tracked (a sign the movie is in Shoko's library). */
  z.object({ ...withMedia, kind: z.literal('shoko-movie'), reason: text }),
  /** Service-level news (Health, HealthRestored, ApplicationUpdate): about no request. */
  z.object({ ...base, kind: z.literal('notice'), name: text, level: text.optional(), message: text, instance: text.optional(), check: text.optional() }),
  /** A sender's test button: never creates or changes anything. */
  z.object({ ...base, kind: z.literal('test'), name: text }),
  /** Understood but not about tracking (e.g. a Jellyfin PlaybackStart, an unknown Jellyseerr type). */
  z.object({ ...base, kind: z.literal('ignored'), name: text, reason: text }),
]);

export type MediaEvent = z.infer<typeof MediaEventSchema>;
export type MediaEventKind = MediaEvent['kind'];
export type MediaInfo = z.infer<typeof MediaSchema>;
export type PendingDeletion = z.infer<typeof PendingDeletionSchema>;
export type MediaIds = z.infer<typeof MediaIdsSchema>;
export type EpisodeRef = z.infer<typeof EpisodeRefSchema>;
export type EpisodeKey = z.infer<typeof EpisodeKeySchema>;
export type Source = z.infer<typeof SourceSchema>;
export type MediaType = z.infer<typeof MediaTypeSchema>;
export type MediaEventOf<K extends MediaEventKind> = Extract<MediaEvent, { kind: K }>;
export type ShokoFileEvent = MediaEventOf<'shoko-file'>;
export type ProgressEvent = MediaEventOf<'download-progress'>;
export type StuckEvent = MediaEventOf<'stuck'>;
export type ActionEvent = MediaEventOf<'action'>;
export type ArrStatusEvent = MediaEventOf<'arr-status'>;
/** Events that may change a request: those about media, Shoko's file events, download progress, stuck findings. */
export type TrackedEvent = Extract<MediaEvent, { media: MediaInfo }> | ShokoFileEvent | ProgressEvent | StuckEvent | ActionEvent;
/** The events that name their media (and so can create a request). */
export type MediaBearingEvent = Extract<MediaEvent, { media: MediaInfo }>;

export function isTracked(event: MediaEvent): event is TrackedEvent {
  return 'media' in event || event.kind === 'shoko-file' || event.kind === 'download-progress' || event.kind === 'stuck' || event.kind === 'action';
}
