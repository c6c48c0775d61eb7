/**
 * A service's base URL as a config node takes it: http or https, no credentials inside (they would
 * end up in every error message and log line; the config node has fields for secrets).
 */
export function parseServiceUrl(value: string, service: string): { ok: true; url: string } | { ok: false; error: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, error: `${service} URL is not a URL: ${value.replace(/\/\/[^@/]*@/, '//…@').slice(0, 80)}` };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      error: `${service} URL carries a user name or password (${url.protocol}//…@${url.host}): put them in the node's credentials, not in the URL`,
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, error: `${service} URL must start with http:// or https://, not ${url.protocol}` };
  return { ok: true, url: url.href.replace(/\/+$/, '') };
}
