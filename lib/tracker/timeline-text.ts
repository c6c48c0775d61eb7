import type { ActionEvent, EpisodeKey, Source } from '../events';
import type { Effect } from './items';
import type { What } from './rules';

/** The words of the timeline, and of the attention flags events raise: from what the rules say happened. */

const count = (n: number, one: string, many: string) => (n === 1 ? `1 ${one}` : `${n} ${many}`);
const episodes = (n: number) => count(n, 'episode', 'episodes');
const files = (n: number) => count(n, 'file', 'files');
const arr = (source: Source) => (source === 'radarr' ? 'Radarr' : 'Sonarr');
const SERVICE_NAMES: Record<Source, string> = {
  jellyseerr: 'Jellyseerr',
  radarr: 'Radarr',
  sonarr: 'Sonarr',
  jellyfin: 'Jellyfin',
  qbittorrent: 'qBittorrent',
  shoko: 'Shoko',
  tracker: 'the tracker',
};
const serviceName = (source: Source) => SERVICE_NAMES[source];

const pad = (n: number) => String(n).padStart(2, '0');

/** Episodes as ranges: S01E01-E03, E07, S02E01. */
export function episodeRanges(keys: EpisodeKey[]): string {
  const sorted = [...new Map(keys.map((k) => [`${k.season}:${k.episode}`, k])).values()].sort((a, b) => a.season - b.season || a.episode - b.episode);
  const parts: string[] = [];
  let season: number | undefined;
  for (let i = 0; i < sorted.length;) {
    const first = sorted[i]!;
    let last = first;
    while (sorted[i + 1] && sorted[i + 1]!.season === first.season && sorted[i + 1]!.episode === last.episode + 1) last = sorted[++i]!;
    i++;
    const start = first.season === season ? `E${pad(first.episode)}` : `S${pad(first.season)}E${pad(first.episode)}`;
    season = first.season;
    parts.push(last === first ? start : `${start}-E${pad(last.episode)}`);
  }
  return parts.join(', ');
}

const ACTION_WORDS: Record<ActionEvent['action'], string> = {
  retry: 'retry requested',
  'retry-dry-run': 'would be retried (dry run)',
  strike: 'no progress again',
  explain: 'asked why nothing was grabbed',
  search: 'search requested',
  verify: 'verified',
  'mark-available': 'marked available (manual)',
  dismiss: 'attention dismissed',
  keep: 'kept: nothing will be deleted',
  'deletion-planned': 'deletion planned',
  'deletion-cancelled': 'deletion cancelled',
  'deletion-dry-run': 'deletion due (dry run)',
  'deletion-sync': 'deletion passed on',
};

const SHOKO_DID: Record<'seen' | 'matched' | 'not-matched', string> = { seen: 'has the file', matched: 'matched it', 'not-matched': 'could not match it' };

export function issueLabel(what: Extract<What, { kind: 'issue' }>): string {
  return `${what.issueType ? `${what.issueType.toLowerCase()} ` : ''}issue${what.issueId ? ` #${what.issueId}` : ''}`;
}

export function issueReason(what: Extract<What, { kind: 'issue' }>): string {
  return `${issueLabel(what)} reported${what.message ? `: ${what.message}` : ''}`.slice(0, 1000);
}

export function needsLinkReason(what: Extract<What, { kind: 'shoko-file' }>): string {
  const n = what.autoMatchAttempts;
  return `needs a manual link in Shoko (${n} automatic match ${n === 1 ? 'attempt' : 'attempts'}): ${what.file}`;
}

function detailOf(what: What): string {
  switch (what.kind) {
    case 'requested':
      return what.by ? `requested by ${what.by}` : 'requested';
    case 'approved':
      return what.auto ? 'approved automatically' : 'approved';
    case 'failure':
    case 'manual-interaction':
    case 'stuck':
      return what.reason;
    case 'grabbed': {
      const r = what.release;
      const how = [r?.quality, r?.indexer ? `from ${r.indexer}` : undefined].filter(Boolean).join(' ');
      const release = [how, r?.title].filter(Boolean).join(': ') || 'release grabbed';
      return what.episodes === undefined ? release : `${release} (${episodes(what.episodes)})`;
    }
    case 'imported':
      return what.path ?? 'imported';
    case 'imported-episodes':
      return `${episodes(what.episodes.length)} (${episodeRanges(what.episodes)}), ${files(what.files)}${what.unplaced ? ` (${what.unplaced} not placed by name)` : ''}`;
    case 'available': {
      const via = what.source === 'jellyfin' ? 'in Jellyfin' : 'according to Jellyseerr';
      if (what.scope === 'movie') return `playable ${via}`;
      if (what.scope === 'request') return `every requested season is available ${via}`;
      return `${what.scope.join(', ') || 'episode'} playable ${via}`;
    }
    case 'added':
      return `added to ${arr(what.source)}`;
    case 'deleted': {
      const deleted =
        what.what === 'media' ? `deleted from ${serviceName(what.source)}` : `file deleted${what.path ? `: ${what.path}` : ` in ${serviceName(what.source)}`}`;
      return `${deleted}${what.reason ? ` (${what.reason})` : ''}`;
    }
    case 'download-problem':
      return `${what.problem === 'import-blocked' ? `import blocked in ${arr(what.source)}` : `download failed in ${arr(what.source)}`}: ${what.reason}`;
    case 'action': {
      const done = ACTION_WORDS[what.action];
      return `${done} by ${what.by}${what.reason ? ` (${what.reason})` : ''}${what.detail ? `: ${what.detail}` : ''}`;
    }
    case 'listed':
      return what.added.length ? `${episodes(what.added.length)} aired, tracked from now on (${episodeRanges(what.added)})` : 'episode list checked';
    case 'renamed':
      return `${files(what.files)} renamed`;
    case 'arr-status':
      return `${arr(what.source)} record read`;
    case 'issue':
      return `${issueLabel(what)} ${what.action}${what.message ? `: ${what.message}` : ''}`;
    case 'shoko-elsewhere':
      return `${what.name}: ${what.reason}`;
    case 'shoko-file':
      if (what.action === 'gone' || what.action === 'moved') return `${what.name} in Shoko: ${what.file}`;
      return `Shoko ${SHOKO_DID[what.action]} (${what.name}): ${what.file}`;
    case 'shoko-movie':
      return "in Shoko's library (TMDB movie added)";
    case 'progress':
      if (what.state === 'FAILED') return `download failed (${what.clientState})`;
      if (what.state === 'DOWNLOADED') return 'download complete';
      return `downloading, ${Math.floor(what.progress * 100)} % (${what.clientState})`;
    case 'late-progress':
      return `late progress (${what.clientState})`;
    case 'not-a-download':
      return 'not a current download';
  }
}

const MAX_DETAIL = 2000;

/** A timeline entry's detail: what happened, marked `late:` or `upgrade:` when it moved nothing. */
export function timelineDetail(what: What, effects: Effect[]): string {
  const detail = detailOf(what);
  let text = detail;
  if (effects.some((e) => e === 'advanced' || e === 'restarted')) text = effects.includes('restarted') ? `${detail}; restarted with a new download` : detail;
  else if (effects.includes('upgrade')) text = `upgrade: ${detail}`;
  else if (effects.length && effects.every((e) => e === 'late' || e === 'same') && effects.includes('late')) text = `late: ${detail}`;
  return text.slice(0, MAX_DETAIL);
}
