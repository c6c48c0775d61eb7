/**
 * Who a notification goes to: the requester's own recipient (a mapping from Jellyseerr's user to a
 * chat, a topic, a Pushover user...), everyone's (the default recipient), or both.
 */

export type RouteMode = 'requester' | 'everyone' | 'both';
export const ROUTE_MODES: RouteMode[] = ['requester', 'everyone', 'both'];

/** "adept = 12345" lines (or "adept: topic kana"); blank lines and # comments skipped. Names match case-insensitively. */
export function parseRecipients(text: string | undefined): { ok: true; map: Map<string, string> } | { ok: false; error: string } {
  const map = new Map<string, string>();
  for (const [i, raw] of (text ?? '').split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([^=:]+?)\s*[=:]\s*(.+)$/.exec(line);
    if (!match) return { ok: false, error: `recipients, line ${i + 1}: expected "requester = recipient", got "${line.slice(0, 60)}"` };
    map.set(match[1]!.toLowerCase(), match[2]!.trim());
  }
  return { ok: true, map };
}

/** The recipients of a notification for this requester (each once; none when nobody fits). */
export function recipientsFor(requester: string | null, map: Map<string, string>, fallback: string | undefined, mode: RouteMode): string[] {
  const own = requester ? map.get(requester.toLowerCase()) : undefined;
  const list = mode === 'everyone' ? [fallback] : mode === 'requester' ? [own ?? fallback] : [own, fallback];
  return [...new Set(list.filter((r): r is string => !!r))];
}
