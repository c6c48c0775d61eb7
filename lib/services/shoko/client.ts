import { z } from 'zod';
import { formatIssues } from '../http/schema-helpers';
import { ServiceError } from '../http/errors';
import { parseJson, ServiceHttp, type TlsTrust } from '../http/http';

/**
 * Where Shoko's import folders are. Shoko names files relative to an import folder; knowing the
 * folder's place as the arrs see it turns that into an exact path. Two sources, explicit mappings
 * first: the user's `id=path` lines, and Shoko's own REST API (its paths, in its own mount).
 */

const ImportFoldersSchema = z.array(z.object({ ID: z.number().int().nonnegative(), Path: z.string().max(4096) }).loose()).max(1000);

/** `1=/data` lines (blank lines and `#` comments ignored). */
export function parsePathMappings(text: string | undefined): { ok: true; folders: Map<number, string> } | { ok: false; error: string } {
  const folders = new Map<number, string>();
  const lines = (text ?? '').split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(\d+)\s*=\s*(\S.*)$/.exec(line);
    if (!match?.[2]) return { ok: false, error: `path mappings, line ${index + 1}: expected "<import folder id>=<path>", got "${line.slice(0, 80)}"` };
    folders.set(Number(match[1]), match[2].trim());
  }
  return { ok: true, folders };
}

export async function fetchImportFolders(baseUrl: string, apiKey: string, tls?: TlsTrust, timeoutMs = 10000): Promise<Map<number, string>> {
  const http = new ServiceHttp('Shoko', baseUrl, tls, timeoutMs);
  const res = await http.call('/api/v3/ImportFolder', { headers: { apikey: apiKey, accept: 'application/json' } });
  if (res.status < 200 || res.status >= 300) {
    const kind = res.status === 401 || res.status === 403 ? 'unauthorised' : 'refused';
    throw new ServiceError('Shoko', kind, `Shoko answered ${res.status} for its import folders`, http.where, res.status);
  }
  const parsed = ImportFoldersSchema.safeParse(parseJson(res.text));
  if (!parsed.success) throw new ServiceError('Shoko', 'bad-answer', `unexpected import folder list: ${formatIssues(parsed.error)}`, http.where);
  return new Map(parsed.data.map((folder) => [folder.ID, folder.Path]));
}
