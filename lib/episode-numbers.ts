import type { EpisodeKey } from './events';

// S01E01, s1e5, S01E01E02, S01E01-02, S01E01-E03, "S01E01.S01E02" (every token counts).
const TOKEN = /S(\d{1,3})[ ._]?E(\d{1,4})((?:(?:-E?|[ ._]?E)\d{1,4}(?![\dp]))*)/gi;
const MAX_RANGE = 100;

/** The (season, episode) numbers a file name names, ranges included; [] when it names none. */
export function episodesInFileName(pathOrName: string): EpisodeKey[] {
  const name = pathOrName.split(/[\\/]/).pop() ?? '';
  const found = new Map<string, EpisodeKey>();
  for (const match of name.matchAll(TOKEN)) {
    const season = Number(match[1]);
    const numbers = [Number(match[2]), ...((match[3] ?? '').match(/\d+/g) ?? []).map(Number)];
    const first = Math.min(...numbers);
    const last = Math.max(...numbers);
    if (last - first > MAX_RANGE) continue;
    for (let episode = first; episode <= last; episode++) found.set(`${season}:${episode}`, { season, episode });
  }
  return [...found.values()];
}

export const episodeKey = (e: EpisodeKey): string => `S${String(e.season).padStart(2, '0')}E${String(e.episode).padStart(2, '0')}`;
