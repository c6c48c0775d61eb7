import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { configValue } from '../../lib/config-values';
import { Digest } from '../../lib/notify/digest';
import { FORMATS, format, missingFor, type FormatName, type Target } from '../../lib/notify/formats';
import { DEFAULT_BASE_URL, DEFAULT_NEWS, NEWS_KINDS, newsOf, notificationOf, type News, type NewsKind } from '../../lib/notify/news';
import { parseRecipients, recipientsFor, ROUTE_MODES, type RouteMode } from '../../lib/notify/route';
import { formatIssues } from '../../lib/sources/schema-helpers';
import { StateChangeSchema } from '../../lib/tracker/messages';
import type { Done, Send } from '../shared/config-node';
import { periodMs, secretFrom } from '../shared/config-values';
import type { RED } from '../shared/red';
import { StatusLight } from '../shared/status';

type NewsTicks = { [K in NewsKind as `on_${K}`]?: boolean };

interface MediaNotifyConfig extends NodeDef, NewsTicks {
  format: string;
  server: string;
  tokenEnv: string;
  recipient: string;
  recipients: string;
  mode: string;
  digestSeconds: string;
  baseUrl: string;
}

type Credentials = { token: unknown };

/** A control message: send what the digest holds now. */
const FLUSH = 'media-status/flush';

export = (RED: RED) => {
  function MediaNotifyNode(this: Node & { credentials: Credentials }, config: MediaNotifyConfig) {
    RED.nodes.createNode(this, config);
    const light = new StatusLight(RED, this);
    const name = ((FORMATS as readonly string[]).includes(config.format) ? config.format : 'generic') as FormatName;
    const target: Target = {
      server: configValue(config.server) || undefined,
      token: secretFrom(RED, this, this.credentials?.token, config.tokenEnv) || undefined,
      recipient: configValue(config.recipient) || undefined,
    };
    const mode: RouteMode = (ROUTE_MODES as string[]).includes(config.mode) ? (config.mode as RouteMode) : 'requester';
    // A tick the editor never saved is the default.
    const wanted = new Set(NEWS_KINDS.filter((k) => config[`on_${k}`] ?? DEFAULT_NEWS.includes(k)));
    const windowMs = periodMs(config.digestSeconds, 60);
    const baseUrl = configValue(config.baseUrl) || DEFAULT_BASE_URL;
    const recipients = parseRecipients(config.recipients);
    if (!recipients.ok) {
      this.error(recipients.error);
      light.showText('problem', recipients.error);
    }
    const map = recipients.ok ? recipients.map : new Map<string, string>();
    const idle = missingFor(name, target, map.size > 0).length > 0;
    if (idle) light.show('off', 'media-notify.status.notConfigured');

    let sent = 0;
    const deliver = (news: News[]) => {
      const notification = notificationOf(news, baseUrl);
      const list = recipientsFor(notification.requester, map, target.recipient, mode);
      // Discord, Apprise and the generic shape need no recipient: one delivery.
      for (const recipient of list.length ? list : [undefined]) {
        const delivery = format(name, notification, { ...target, recipient });
        this.send({ topic: `media-status/${notification.request.id}/${notification.kind}`, recipient, notification, ...delivery });
        sent++;
      }
      light.show('ok', 'media-notify.status.sent', { count: sent, last: notification.title });
    };
    const digest = new Digest(windowMs, deliver, (err) => {
      light.showText('problem', err.message);
      this.error(err.message);
    });

    this.on('input', (msg: NodeMessageInFlow, _send: Send, done: Done) => {
      if (msg.topic === FLUSH) {
        digest.flush();
        return done();
      }
      if (idle) return done();
      const parsed = StateChangeSchema.safeParse(msg.payload);
      if (!parsed.success) return done(new Error(RED._('media-notify.errors.notAChange', { detail: formatIssues(parsed.error) })));
      const news = newsOf(parsed.data).filter((n) => wanted.has(n.kind));
      if (news.length) digest.add(news);
      done();
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      // What waits goes now, not never.
      digest.flush();
      done();
    });
  }
  RED.nodes.registerType('media-notify', MediaNotifyNode, { credentials: { token: { type: 'password' } } });
};
