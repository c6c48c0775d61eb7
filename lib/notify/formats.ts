import type { Notification, Priority } from './news';
import { escapeHtml, isPublicUrl, truncate, truncateBytes } from './text';

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

const json = { 'content-type': 'application/json' };
const bearer = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
const openButton = (url: string) => (isPublicUrl(url) ? { reply_markup: { inline_keyboard: [[{ text: 'Open', url }]] } } : {});
const notifyService = (recipient: string | undefined) => (recipient ?? 'notify').replace(/^notify\./, '');

/** ntfy: JSON to the server root (titles are often not ASCII: headers would mangle them). */
function ntfy(n: Notification, target: Target): Delivery {
  return {
    url: `${base(target.server)}/`,
    method: 'POST',
    headers: { ...json, ...bearer(target.token) },
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
}

function gotify(n: Notification, target: Target): Delivery {
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
}

/** Telegram's Bot API: the poster as a photo with a caption when Telegram can fetch it, else a message. */
function telegram(n: Notification, target: Target): Delivery {
  const photo = isPublicUrl(n.imageUrl);
  const common = { chat_id: target.recipient, parse_mode: 'HTML', disable_notification: n.priority === 'low', ...openButton(n.url) };
  return {
    url: `${base(target.server) || 'https://api.telegram.org'}/bot${target.token ?? ''}/${photo ? 'sendPhoto' : 'sendMessage'}`,
    method: 'POST',
    headers: json,
    payload: photo
      ? { ...common, photo: n.imageUrl, caption: telegramText(n, 1024) }
      : { ...common, text: telegramText(n, 4096), link_preview_options: { is_disabled: true } },
  };
}

/** node-red-contrib-telegrambot's sender node. */
function telegrambot(n: Notification, target: Target): Delivery {
  const options = { parse_mode: 'HTML', ...openButton(n.url) };
  return {
    payload: isPublicUrl(n.imageUrl)
      ? { chatId: target.recipient, type: 'photo', content: n.imageUrl, caption: telegramText(n, 1024), options }
      : { chatId: target.recipient, type: 'message', content: telegramText(n, 4000), options: { ...options, link_preview_options: { is_disabled: true } } },
  };
}

function discord(n: Notification, target: Target): Delivery {
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
}

/** Pushover takes an image only as bytes: none here. */
function pushover(n: Notification, target: Target): Delivery {
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
}

function apprise(n: Notification, target: Target): Delivery {
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

const SHAPES: Record<FormatName, (n: Notification, target: Target) => Delivery> = {
  generic: (n) => ({ payload: n }),
  ntfy,
  gotify,
  telegram,
  telegrambot,
  discord,
  pushover,
  'home-assistant': (n, target) => ({
    url: `${base(target.server)}/api/services/notify/${notifyService(target.recipient)}`,
    method: 'POST',
    headers: { ...json, ...bearer(target.token) },
    payload: haData(n),
  }),
  'home-assistant-action': (n, target) => ({ payload: { action: `notify.${notifyService(target.recipient)}`, data: haData(n) } }),
  apprise,
};

export function format(name: FormatName, n: Notification, target: Target): Delivery {
  return SHAPES[name](n, target);
}
