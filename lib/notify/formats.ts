import type { Notification, Priority } from './news';

/**
 * A notification shaped for one service (notifiers.md): ready for Node-RED's own `http request` node
 * (`url`, `method`, `headers`, `payload`), or for the telegrambot sender and Home Assistant action
 * nodes. Each service's limits are kept (truncated before escaping), the poster goes as the image
 * where a service takes one by URL, the status page is the click target, trouble goes at high priority.
 */

export const FORMATS = [
  'generic',
  'ntfy',
  'gotify',
  'telegram',
  'telegrambot',
  'discord',
  'pushover',
  'home-assistant',
  'home-assistant-action',
  'apprise',
] as const;
export type FormatName = (typeof FORMATS)[number];

/** Where and as whom: the service's server (a webhook URL for Discord; Telegram's Bot API server, default api.telegram.org), its token, and the recipient. */
export interface Target {
  server?: string;
  token?: string;
  /** ntfy topic, Telegram chat, Pushover user, Home Assistant notify service, Apprise URLs. */
  recipient?: string;
}

/** What each service cannot do without (an empty `recipient` is fine when a per-requester mapping gives one). */
const NEEDS: Partial<Record<FormatName, (keyof Target)[]>> = {
  ntfy: ['server', 'recipient'],
  gotify: ['server', 'token'],
  telegram: ['token', 'recipient'],
  telegrambot: ['recipient'],
  discord: ['server'],
  pushover: ['token', 'recipient'],
  'home-assistant': ['server', 'token', 'recipient'],
  'home-assistant-action': ['recipient'],
  apprise: ['server'],
};

/** What `target` lacks for `name` (nothing: it can send). */
export function missingFor(name: FormatName, target: Target, mapsRecipients: boolean): (keyof Target)[] {
  return (NEEDS[name] ?? []).filter((key) => !target[key] && !(key === 'recipient' && mapsRecipients));
}

export interface Delivery {
  url?: string;
  method?: 'POST';
  headers?: Record<string, string>;
  payload: unknown;
}

/** At most `max` characters (code points), with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** At most `max` UTF-8 bytes, cut on a character, with an ellipsis when cut. */
export function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  let size = Buffer.byteLength('…');
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (size + n > max) break;
    out += ch;
    size += n;
  }
  return `${out}…`;
}

/** Telegram HTML: `&`, `<`, `>` are all that must be escaped (notifiers.md 4.5). */
export const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Telegram and Discord fetch links and images themselves: a LAN or localhost URL is refused (notifiers.md 4.8). */
export function isPublicUrl(url: string | null | undefined): url is string {
  if (!url) return false;
  try {
    const { protocol, hostname } = new URL(url);
    if (protocol !== 'https:' && protocol !== 'http:') return false;
    if (!hostname.includes('.') || hostname === 'localhost' || hostname.endsWith('.local') || hostname.endsWith('.lan') || hostname.endsWith('.home'))
      return false;
    return !/^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|0\.)/.test(hostname) && !hostname.includes(':');
  } catch {
    return false;
  }
}

const base = (server: string | undefined) => (server ?? '').replace(/\/+$/, '');
const NTFY_PRIORITY: Record<Priority, number> = { low: 2, default: 3, high: 4 };
const GOTIFY_PRIORITY: Record<Priority, number> = { low: 2, default: 5, high: 8 };
const PUSHOVER_PRIORITY: Record<Priority, number> = { low: -1, default: 0, high: 1 };
const DISCORD_COLOUR: Record<string, number> = {
  available: 0x2e9e55,
  episodes: 0x2e9e55,
  failed: 0xd64545,
  attention: 0xf0a33a,
  removed: 0x7a7a7a,
};
const APPRISE_TYPE: Record<string, string> = { available: 'success', episodes: 'success', failed: 'failure', attention: 'warning' };

/** Home Assistant companion-app data (notifiers.md 7a): image, click target on both platforms, one tag per request. */
function haData(n: Notification) {
  return {
    title: n.title,
    message: n.message,
    data: {
      ...(n.imageUrl ? { image: n.imageUrl } : {}),
      clickAction: n.url,
      url: n.url,
      tag: n.request ? `media-request-${n.request.id}` : 'media-service',
      group: 'media-status',
      ...(n.priority === 'high' ? { priority: 'high', ttl: 0, push: { 'interruption-level': 'time-sensitive' } } : {}),
    },
  };
}

/** Telegram's text: the title in bold, the message, within the caption's 1,024 or the message's 4,096 characters (counted before escaping). */
function telegramText(n: Notification, limit: number): string {
  const title = truncate(n.title, 256);
  const message = truncate(n.message, Math.max(1, limit - [...title].length - 1));
  return `<b>${escapeHtml(title)}</b>\n${escapeHtml(message)}`;
}

export function format(name: FormatName, n: Notification, target: Target): Delivery {
  const json = { 'content-type': 'application/json' };
  switch (name) {
    case 'generic':
      return { payload: n };
    case 'ntfy':
      // JSON to the server root (titles are often not ASCII: headers would mangle them).
      return {
        url: `${base(target.server)}/`,
        method: 'POST',
        headers: { ...json, ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) },
        payload: {
          topic: target.recipient,
          title: n.title,
          message: truncateBytes(n.message, 4096),
          priority: NTFY_PRIORITY[n.priority],
          tags: n.tags,
          click: n.url,
          ...(n.imageUrl ? { attach: n.imageUrl, filename: 'poster.jpg' } : {}),
        },
      };
    case 'gotify':
      return {
        url: `${base(target.server)}/message`,
        method: 'POST',
        headers: { ...json, ...(target.token ? { 'x-gotify-key': target.token } : {}) },
        payload: {
          title: n.title,
          message: n.message,
          priority: GOTIFY_PRIORITY[n.priority],
          extras: { 'client::notification': { click: { url: n.url }, ...(n.imageUrl ? { bigImageUrl: n.imageUrl } : {}) } },
        },
      };
    case 'telegram': {
      const photo = isPublicUrl(n.imageUrl);
      const button = isPublicUrl(n.url) ? { reply_markup: { inline_keyboard: [[{ text: 'Open', url: n.url }]] } } : {};
      const common = { chat_id: target.recipient, parse_mode: 'HTML', disable_notification: n.priority === 'low', ...button };
      return {
        url: `${base(target.server) || 'https://api.telegram.org'}/bot${target.token ?? ''}/${photo ? 'sendPhoto' : 'sendMessage'}`,
        method: 'POST',
        headers: json,
        payload: photo
          ? { ...common, photo: n.imageUrl, caption: telegramText(n, 1024) }
          : { ...common, text: telegramText(n, 4096), link_preview_options: { is_disabled: true } },
      };
    }
    case 'telegrambot': {
      const photo = isPublicUrl(n.imageUrl);
      const options = { parse_mode: 'HTML', ...(isPublicUrl(n.url) ? { reply_markup: { inline_keyboard: [[{ text: 'Open', url: n.url }]] } } : {}) };
      return {
        payload: photo
          ? { chatId: target.recipient, type: 'photo', content: n.imageUrl, caption: telegramText(n, 1024), options }
          : { chatId: target.recipient, type: 'message', content: telegramText(n, 4000), options: { ...options, link_preview_options: { is_disabled: true } } },
      };
    }
    case 'discord':
      return {
        url: target.server,
        method: 'POST',
        headers: json,
        payload: {
          // No pings from a title such as "@everyone".
          allowed_mentions: { parse: [] },
          embeds: [
            {
              title: truncate(n.title, 256),
              description: truncate(n.message, 4096),
              url: n.url,
              color: DISCORD_COLOUR[n.kind] ?? 0x6d9bff,
              ...(isPublicUrl(n.imageUrl) ? { thumbnail: { url: n.imageUrl } } : {}),
              ...(n.request ? { timestamp: n.request.updatedAt } : {}),
              footer: { text: 'media status' },
            },
          ],
        },
      };
    case 'pushover':
      // Pushover takes an image only as bytes: none here.
      return {
        url: 'https://api.pushover.net/1/messages.json',
        method: 'POST',
        headers: json,
        payload: {
          token: target.token,
          user: target.recipient,
          title: truncate(n.title, 250),
          message: truncate(n.message, 1024),
          url: truncate(n.url, 512),
          url_title: 'Open the status page',
          priority: PUSHOVER_PRIORITY[n.priority],
        },
      };
    case 'home-assistant':
      return {
        url: `${base(target.server)}/api/services/notify/${(target.recipient ?? 'notify').replace(/^notify\./, '')}`,
        method: 'POST',
        headers: { ...json, ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) },
        payload: haData(n),
      };
    case 'home-assistant-action':
      return { payload: { action: `notify.${(target.recipient ?? 'notify').replace(/^notify\./, '')}`, data: haData(n) } };
    case 'apprise':
      return {
        url: `${base(target.server)}/notify`,
        method: 'POST',
        headers: json,
        payload: {
          ...(target.recipient ? { urls: target.recipient } : {}),
          title: n.title,
          body: n.message,
          type: APPRISE_TYPE[n.kind] ?? 'info',
          format: 'text',
        },
      };
  }
}
