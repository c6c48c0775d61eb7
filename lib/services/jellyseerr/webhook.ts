import { z } from 'zod';
import type { MediaEvent, MediaInfo } from '../../events';
import { isPlainObject, optionalId, requiredId, text } from '../http/schema-helpers';

/**
 * Jellyseerr / Seerr webhook (payloads.md section 3). The body is a user-editable template in which
 * every substituted value is a string, so ids are parsed here. Keys are optional unless tracking
 * needs them: `notification_type`, and for media notifications `media.media_type`, `media.tmdbId`
 * and (for requests) `request.request_id`.
 */

const MediaBlock = z.object({
  media_type: z.enum(['movie', 'tv']),
  tmdbId: requiredId,
  tvdbId: optionalId,
});
const RequestBlock = z.object({
  request_id: requiredId,
  requestedBy_username: text(200).optional(),
});
const IssueBlock = z.object({
  issue_id: optionalId,
  issue_type: text(40).optional(),
});
const CommentBlock = z.object({ comment_message: text(10000).optional() });
const Extra = z.array(z.object({ name: text(200), value: text(2000) })).max(100);

export const JellyseerrSchema = z.object({
  notification_type: text(64).min(1),
  /** "4K Movie Request Approved": the event text says a request is for 4K. */
  event: text(200).optional(),
  subject: text(1000).optional(),
  message: text(10000).optional(),
  image: text(2048).optional(),
  media: MediaBlock.nullable().optional(),
  request: RequestBlock.nullable().optional(),
  issue: IssueBlock.nullable().optional(),
  comment: CommentBlock.nullable().optional(),
  extra: Extra.nullable().optional(),
});
const RequestNotification = JellyseerrSchema.extend({ media: MediaBlock, request: RequestBlock });
const IssueNotification = JellyseerrSchema.extend({ media: MediaBlock });

type Body = z.infer<typeof JellyseerrSchema>;

const REQUEST_TYPES = ['MEDIA_PENDING', 'MEDIA_APPROVED', 'MEDIA_AUTO_APPROVED', 'MEDIA_AVAILABLE', 'MEDIA_DECLINED', 'MEDIA_FAILED'];
const ISSUE_ACTIONS = {
  ISSUE_CREATED: 'created',
  ISSUE_COMMENT: 'comment',
  ISSUE_RESOLVED: 'resolved',
  ISSUE_REOPENED: 'reopened',
} as const;

/** "Violet Evergarden: The Movie (2020)" gives the title and the year. */
export function parseSubject(subject: string | undefined): { title?: string; year?: number } {
  const trimmed = subject?.trim();
  if (!trimmed) return {};
  const match = /^(.*\S)\s+\((\d{4})\)$/.exec(trimmed);
  return match ? { title: match[1], year: Number(match[2]) } : { title: trimmed };
}

/** "Requested Seasons": "1, 2" (comma + space; a single season is "1"). */
export function parseSeasons(extra: Body['extra']): number[] | undefined {
  const value = extra?.find((entry) => entry.name === 'Requested Seasons')?.value;
  if (!value) return undefined;
  const seasons = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => /^\d+$/.test(part))
    .map(Number);
  return seasons.length ? seasons : undefined;
}

function mediaOf(body: Body, media: z.infer<typeof MediaBlock>, request?: z.infer<typeof RequestBlock>): MediaInfo {
  const { title, year } = parseSubject(body.subject);
  return {
    mediaType: media.media_type,
    ids: { jellyseerrRequest: request?.request_id, tmdb: media.tmdbId, tvdb: media.tvdbId },
    title,
    year,
    posterUrl: body.image || undefined,
    requestedBy: request?.requestedBy_username || undefined,
    requestedSeasons: media.media_type === 'tv' ? parseSeasons(body.extra) : undefined,
    is4k: request ? /^4K /.test(body.event ?? '') : undefined,
  };
}

export function normaliseJellyseerr(input: unknown, at: string): MediaEvent {
  // One pass of the schema the type calls for (a request's needs its media and request blocks).
  const claimed = isPlainObject(input) ? input.notification_type : undefined;
  const base = { source: 'jellyseerr' as const, at };

  if (typeof claimed === 'string' && REQUEST_TYPES.includes(claimed)) {
    const b = RequestNotification.parse(input);
    const media = mediaOf(b, b.media, b.request);
    switch (b.notification_type) {
      case 'MEDIA_PENDING':
        return { ...base, kind: 'requested', media };
      case 'MEDIA_APPROVED':
        return { ...base, kind: 'approved', media, auto: false };
      case 'MEDIA_AUTO_APPROVED':
        return { ...base, kind: 'approved', media, auto: true };
      case 'MEDIA_AVAILABLE':
        return { ...base, kind: 'available', media, episodes: [] };
      case 'MEDIA_DECLINED':
        return { ...base, kind: 'declined', media, reason: 'declined in Jellyseerr' };
      default:
        // MEDIA_FAILED: Jellyseerr could not hand the request to Radarr/Sonarr. `message` is the overview, not a reason.
        return { ...base, kind: 'failed', media, reason: `Jellyseerr could not send the request to ${media.mediaType === 'movie' ? 'Radarr' : 'Sonarr'}` };
    }
  }

  if (typeof claimed === 'string' && Object.hasOwn(ISSUE_ACTIONS, claimed)) {
    const b = IssueNotification.parse(input);
    const message = claimed === 'ISSUE_COMMENT' ? (b.comment?.comment_message ?? b.message) : b.message;
    return {
      ...base,
      kind: 'issue',
      media: mediaOf(b, b.media),
      action: ISSUE_ACTIONS[claimed as keyof typeof ISSUE_ACTIONS],
      issueId: b.issue?.issue_id,
      issueType: b.issue?.issue_type || undefined,
      message: message?.slice(0, 4000) || undefined,
    };
  }

  const type = JellyseerrSchema.parse(input).notification_type;
  if (type === 'TEST_NOTIFICATION') return { ...base, kind: 'test', name: type };
  return { ...base, kind: 'ignored', name: type, reason: `Jellyseerr notification ${type} is not about tracking` };
}
