import { createHash } from 'node:crypto';
import type { ActionEvent, EpisodeRef, TrackedEvent } from '../events';
import { episodeKey } from '../episode-numbers';

/**
 * The facts an event states about its request, as stable keys. The store keeps them under a unique
 * index; an event whose every fact is already known is a duplicate and changes nothing. Facts are
 * finer than bodies on purpose: Sonarr's per-file Downloads and its import-complete Download state the
 * same facts (download D imported episode E), so whichever comes second is a duplicate.
 */
export function eventFacts(event: TrackedEvent): string[] {
  const dl = 'downloadId' in event ? (event.downloadId ?? '') : '';
  const perEpisode = (prefix: string, episodes: EpisodeRef[]) => episodes.map((e) => `${prefix}:${episodeKey(e)}`);
  switch (event.kind) {
    case 'requested':
    case 'approved':
    case 'declined':
    case 'failed':
      return [`${event.source}:${event.kind}`];
    case 'grabbed':
      return event.media.mediaType === 'movie' ? [`grabbed:${dl}`] : perEpisode(`grabbed:${dl}`, event.episodes);
    case 'imported': {
      if (event.media.mediaType === 'movie') return event.files.map((f) => `imported:${dl}:${f.path}`);
      // Without a download id (a manual import) the file tells one import from the next.
      if (dl) return perEpisode(`imported:${dl}`, event.episodes);
      const pathOf = new Map(event.files.flatMap((f) => f.episodes.map((e) => [episodeKey(e), f.path] as const)));
      return event.episodes.map((e) => `imported::${episodeKey(e)}:${pathOf.get(episodeKey(e)) ?? ''}`);
    }
    case 'available':
      if (event.jellyfinItemId) return [`available:jellyfin:${event.jellyfinItemId}`];
      return event.episodes.length ? perEpisode(`available:${event.source}`, event.episodes) : [`available:${event.source}`];
    case 'manual-interaction':
      return [`manual-interaction:${dl}:${digest(event.reason)}`];
    case 'added':
      return [`added:${event.source}`];
    case 'deleted': {
      // The arrs' webhooks say "missingFromDisk", their history "MissingFromDisk": one fact.
      const base = `deleted:${event.what}:${event.source}:${event.path ?? ''}:${(event.reason ?? '').toLowerCase()}`;
      return event.episodes.length ? perEpisode(base, event.episodes) : [base];
    }
    case 'download-problem':
      return [`problem:${event.problem}:${dl}:${digest(event.reason)}`];
    case 'episodes-listed':
    case 'arr-status':
      // Read again every so often: what it changes decides (see reduce), not a fact.
      return [];
    case 'renamed':
      return event.files.map((f) => `renamed:${f.previousPath}>${f.path}`);
    case 'issue':
      return [`issue:${event.issueId ?? ''}:${event.action}:${digest(event.message ?? '')}`];
    case 'shoko-file': {
      // Detected and Hashed say the same thing ("Shoko has the file"); each attempt to match is news.
      const file = event.fileId && event.action !== 'seen' ? `#${event.fileId}` : event.relativePath;
      const detail =
        event.action === 'matched'
          ? digest(JSON.stringify(event.crossReferences))
          : event.action === 'not-matched'
            ? String(event.autoMatchAttempts ?? '')
            : event.action === 'seen'
              ? ''
              : event.name;
      return [`shoko:${event.action}:${file}:${detail}`];
    }
    case 'shoko-movie':
      return [`shoko:movie:${event.reason}`];
    case 'download-progress':
      // Polled again and again: what it changes decides (see reduce), not a fact.
      return [];
    case 'stuck':
      return [`stuck:${event.state}:${event.since}`];
    case 'action':
      // Each action is its own (a double click is stopped before it gets here, see lib/actions).
      return [actionFact({ action: event.action, key: event.key ?? `${event.at}:${digest(event.by)}` })];
  }
}

/** A recorded action as its fact names it: which action, and what made it one (see lib/actions/keys.ts). */
export interface ActionFact {
  action: ActionEvent['action'];
  key: string;
}

const ACTION = 'action:';

function actionFact({ action, key }: ActionFact): string {
  return `${ACTION}${action}:${key}`;
}

/** Where the facts of recorded actions (of one action, if given) begin. */
export function actionFactPrefix(action?: ActionEvent['action']): string {
  return action ? `${ACTION}${action}:` : ACTION;
}

/** A recorded action's fact read back; undefined for any other fact. */
export function parseActionFact(fact: string): ActionFact | undefined {
  if (!fact.startsWith(ACTION)) return undefined;
  const rest = fact.slice(ACTION.length);
  const colon = rest.indexOf(':');
  return colon < 0 ? undefined : { action: rest.slice(0, colon) as ActionEvent['action'], key: rest.slice(colon + 1) };
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 16);
}
