import type { TrackedEvent } from '../events';
import type { Attention } from '../model';
import { rank, type RequestState } from '../states';
import type { Applied } from './rules';
import { issueReason, needsLinkReason } from './timeline-text';

/** Attention that progress answers; an issue stays until Jellyseerr says it is resolved. */
const CLEARED_BY_PROGRESS: Attention['kind'][] = [
  'manual-interaction',
  'declined',
  'failed',
  'stuck',
  'needs-link',
  'import-blocked',
  'download-failed',
  'retry',
];

/** What an event itself says needs a human (or no longer does); undefined: it says nothing about it. */
function raisedBy(current: Attention | null, from: RequestState | null, event: TrackedEvent, applied: Applied): Attention | null | undefined {
  const { what } = applied;
  const since = event.at;
  switch (what.kind) {
    case 'failure':
      // Only a failure that failed something: a late one about a file that plays is no news.
      return applied.effects.includes('advanced') && (event.kind === 'declined' || event.kind === 'failed')
        ? { kind: event.kind, reason: what.reason, since }
        : undefined;
    case 'manual-interaction':
      return { kind: 'manual-interaction', reason: what.reason, since };
    case 'action':
      if (what.action === 'retry' && event.kind === 'action' && event.keptPrivate)
        return {
          kind: 'private-torrent',
          reason: 'private torrent: a person decides (retried; its torrent stays in qBittorrent until its seeding is done)',
          since,
        };
      if (what.action === 'retry') return { kind: 'retry', reason: `retry requested by ${what.by}${what.reason ? `: ${what.reason}` : ''}`, since };
      return what.action === 'dismiss' ? null : undefined;
    case 'grabbed':
      // The new grab a retry waited for.
      return current?.kind === 'retry' ? null : undefined;
    case 'download-problem':
      // A failure of what is imported already is no news.
      if (what.problem === 'download-failed' && !applied.effects.includes('advanced')) return undefined;
      return { kind: what.problem, reason: what.reason, since };
    case 'issue':
      if (what.action === 'created' || what.action === 'reopened') return { kind: 'issue', reason: issueReason(what), since };
      return what.action === 'resolved' && current?.kind === 'issue' ? null : undefined;
    case 'shoko-file':
      if (what.action === 'not-matched') return { kind: 'needs-link', reason: needsLinkReason(what), since };
      return what.action === 'matched' && current?.kind === 'needs-link' ? null : undefined;
    case 'stuck':
      // Raised once, and only on a request that needs nothing else already.
      return event.kind === 'stuck' && from === event.state && !current ? { kind: 'stuck', reason: what.reason, since } : undefined;
    default:
      return undefined;
  }
}

/**
 * The attention after an event, from the attention before, the state before and after, and what the
 * event did: the event's own say first; then progress (a later stage, or a recovery from FAILED)
 * clears what progress answers, and any forward movement clears "stuck".
 */
export function nextAttention(
  current: Attention | null,
  from: RequestState | null,
  to: RequestState,
  forward: boolean,
  event: TrackedEvent,
  applied: Applied,
): Attention | null {
  const said = raisedBy(current, from, event, applied);
  let attention = said === undefined ? current : said;
  const progressed = from !== null && to !== from && (from === 'FAILED' || rank(to) > rank(from));
  if (progressed && attention && CLEARED_BY_PROGRESS.includes(attention.kind) && to !== 'FAILED') attention = null;
  if (forward && attention?.kind === 'stuck') attention = null;
  return attention;
}
