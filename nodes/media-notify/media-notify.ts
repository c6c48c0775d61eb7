import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import type { Request, Response } from 'express';
import { crossSite, isJson } from '../../lib/acting-access';
import { configValue } from '../../lib/config-values';
import { Digest } from '../../lib/notify/digest';
import { FORMATS, format, missingFor, type FormatName, type Target } from '../../lib/notify/formats';
import {
  DEFAULT_BASE_URL,
  DEFAULT_NEWS,
  healthNotification,
  NEWS_KINDS,
  newsOf,
  notificationOf,
  sampleNews,
  type News,
  type NewsKind,
  type Notification,
} from '../../lib/notify/news';
import { parseRecipients, recipientsFor, ROUTE_MODES, type RouteMode } from '../../lib/notify/route';
import { formatIssues } from '../../lib/services/http/schema-helpers';
import { ServiceNoticeSchema, StateChangeSchema } from '../../lib/tracker/messages';
import type { Done, Send } from '../shared/config-node';
import { periodMs, secretFrom } from '../shared/config-values';
import type { RED } from '../shared/red';
import { startFlowNode } from '../shared/status';
import { useStore } from '../shared/store-user';
import type { StatusStoreNode } from '../shared/types';
import { momentsOfTicks, peopleFromTable } from '../../lib/people/deliver';
import { PeopleNotifier } from '../../lib/people/notifier';
import type { StatusStore } from '../../lib/store/store';

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
  /** The household's people (README, "People"): news goes to each person concerned, through their own address. */
  store?: string;
}

type Credentials = { token: unknown };

/** The status page's address is this machine's own: a link to it opens nowhere else (a phone). */
function isLoopback(url: string): boolean {
  try {
    return /^(localhost|127(\.\d+){3}|\[::1\])$/i.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** A control message: send what the digest holds now. */
const FLUSH = 'media-status/flush';

export = (RED: RED) => {
  function MediaNotifyNode(this: Node & { credentials: Credentials }, config: MediaNotifyConfig) {
    const { light, clock } = startFlowNode(RED, this, config);
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
      light.report(recipients.error);
    }
    const map = recipients.ok ? recipients.map : new Map<string, string>();
    // With a store, the people a request concerns get its news (the table's rows become people once).
    const storeNode = config.store && mode !== 'everyone' ? (RED.nodes.getNode(config.store) as StatusStoreNode | null) : null;
    // People have their own addresses, as the table's requesters do.
    const idle = missingFor(name, target, map.size > 0 || !!storeNode).length > 0;
    if (idle) light.show('off', 'media-notify.status.notConfigured');
    else if (isLoopback(baseUrl)) this.warn(RED._('media-notify.warnings.loopbackLink', { url: baseUrl }));

    let sent = 0;
    const sendTo = (notification: Notification, to: Target) => {
      const delivery = format(name, notification, to);
      this.send({ topic: `media-status/${notification.request?.id ?? 'service'}/${notification.kind}`, recipient: to.recipient, notification, ...delivery });
      sent++;
      light.show('ok', 'media-notify.status.sent', { count: sent, last: notification.title });
    };
    const sendNotification = (notification: Notification, list = recipientsFor(notification.requester, map, target.recipient, mode)) => {
      // Discord, Apprise and the generic shape need no recipient: one delivery.
      for (const recipient of list.length ? list : [undefined]) sendTo(notification, { ...target, recipient });
    };
    const report = (err: Error) => light.report(err.message);

    const people = storeNode
      ? new PeopleNotifier({
          people: async () => (await storeNode.store()).people.read,
          format: name,
          target,
          baseUrl,
          windowMs,
          clock,
          send: sendTo,
          onError: report,
        })
      : undefined;
    const household = async (news: News[]) => {
      const notification = notificationOf(news, baseUrl);
      if (!people) return sendNotification(notification);
      // The household's recipient: always with "both"; with "requester", when nobody concerned has an address here.
      if (mode === 'both' || !(await people.reaches(notification.request!.id))) sendNotification(notification, target.recipient ? [target.recipient] : []);
    };
    const digest = new Digest(windowMs, (news) => void household(news).catch(report), report, clock);
    /** The old mapping table, once, as people (their moments: this node's ticks). */
    const migrateTable = async (store: StatusStore) => {
      for (const { id, ...person } of peopleFromTable(map, name, momentsOfTicks(wanted), await store.people.read.list())) await store.people.save(person, id);
    };
    const stopUsingStore =
      people && storeNode
        ? useStore(storeNode, light, (store: StatusStore) => {
            const plan = () => void people.plan().catch(report);
            void migrateTable(store).then(plan, report);
            store.on('people', plan);
            return () => store.off('people', plan);
          })
        : () => undefined;

    this.on('input', (msg: NodeMessageInFlow, _send: Send, done: Done) => {
      if (msg.topic === FLUSH) {
        digest.flush();
        people?.flush();
        return done();
      }
      if ((msg as { test?: unknown }).test) {
        // Now, whatever the ticks and the digest: the configured format and address, or what is missing.
        const missing = missingFor(name, target, map.size > 0);
        if (missing.length) return done(new Error(RED._('media-notify.errors.testNotConfigured', { missing: missing.join(', ') })));
        sendNotification(notificationOf(sampleNews(new Date(clock.now())), baseUrl));
        return done();
      }
      if (idle) return done();
      const notice = ServiceNoticeSchema.safeParse(msg.payload);
      if (notice.success) {
        // About no request: the household's recipient, now (no digest).
        if (wanted.has('health')) sendNotification(healthNotification(notice.data, baseUrl));
        return done();
      }
      const parsed = StateChangeSchema.safeParse(msg.payload);
      if (!parsed.success) return done(new Error(RED._('media-notify.errors.notAChange', { detail: formatIssues(parsed.error) })));
      const all = newsOf(parsed.data);
      const news = all.filter((n) => wanted.has(n.kind));
      if (news.length) digest.add(news);
      people?.add(all);
      const held = digest.held();
      if (held) light.show('ok', 'media-notify.status.held', { count: held.count, time: new Date(held.nextAt).toTimeString().slice(0, 5) });
      done();
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      // What waits goes now, not never.
      digest.flush();
      people?.close();
      stopUsingStore();
      done();
    });
  }
  RED.nodes.registerType('media-notify', MediaNotifyNode, { credentials: { token: { type: 'password' } } });

  // The edit dialog's "send a test notification" button: the deployed node sends one now, as msg.test does.
  RED.httpAdmin.post('/media-notify/:id/test', RED.auth.needsPermission('media-notify.write'), (req: Request, res: Response) => {
    if (crossSite(req) || !isJson(req)) return void res.status(403).json({ ok: false, error: 'only the editor itself may send a test (JSON, same site)' });
    const node = RED.nodes.getNode(String(req.params.id)) as (Node & { type: string }) | null;
    if (node?.type !== 'media-notify') return void res.status(404).json({ ok: false, error: 'deploy the node first' });
    node.receive({ test: true } as never);
    res.json({ ok: true });
  });
};
