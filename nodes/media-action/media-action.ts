import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { actingRefusal, type ActingRequest } from '../../lib/acting-access';
import { MediaActions } from '../../lib/actions/actions';
import { AutoRetry, DEFAULT_AUTO_RETRY } from '../../lib/actions/auto-retry';
import { ActionError, type ActionOutcome } from '../../lib/actions/common';
import { DEFAULT_GRACE_HOURS, DeletionSync } from '../../lib/actions/deletion';
import { isPlainObject } from '../../lib/services/http/schema-helpers';
import { stateChangesOf } from '../../lib/tracker/messages';
import type { TrackResult } from '../../lib/tracker/track';
import { requiredStore, type Done, type Send } from '../shared/config-node';
import { numberFrom } from '../shared/config-values';
import { closeWith, Interval } from '../shared/interval';
import type { RED } from '../shared/red';
import { admitted, admittedActor, guardActingNode } from '../shared/route-gate';
import { startFlowNode } from '../shared/status';
import { useStore } from '../shared/store-user';
import { ARR_REFS, type ArrServerNode, type JellyfinServerNode, type JellyseerrServerNode, type QbittorrentServerNode, type ServerRefs } from '../shared/types';

interface MediaActionConfig extends NodeDef, ServerRefs {
  store: string;
  qbittorrent: string;
  jellyfin: string;
  clearJellyseerr: boolean;
  removeTorrents: boolean;
  deleteFiles: boolean;
  deletionGraceHours?: string;
  /** Absent in flows from before it existed: a dry run, the safe side. */
  deletionDryRun?: boolean;
  autoRetry: boolean;
  autoRetries: string;
  autoRetryMinutes: string;
  autoRetryStrikes?: string;
  autoRetryDailyCap?: string;
  autoRetryDryRun?: boolean;
}

/** Control messages: run the automatic retry now; pass on the deletions that are due now. */
const AUTO_RETRY = 'media-status/auto-retry';
const DELETIONS = 'media-status/deletions';
/** How often due deletions are looked for. */
const DELETIONS_EVERY_MS = 60_000;

/** Who asked: the user the acting route's gate let in, else `msg.user` (a name, or an object with one), else the flow. */
function whoAsked(msg: NodeMessageInFlow): string {
  const actor = admittedActor(msg.req);
  if (actor) return actor;
  const user = msg.user as unknown;
  const name = typeof user === 'string' ? user : (user as { username?: unknown; name?: unknown } | undefined)?.username;
  return typeof name === 'string' && name.trim() ? name.trim().slice(0, 100) : 'flow';
}

/**
 * The action a message asks for: `msg.payload`, a plain object (or nothing, from an http in with an
 * empty body), with the request id and action from an http in's `:id` and `:action` when there.
 * Anything else (a Buffer, a string, an array) is not an action, and is never spread.
 */
function actionOf(msg: NodeMessageInFlow): unknown {
  const params = (msg.req as { params?: Record<string, string> } | undefined)?.params ?? {};
  const { payload } = msg;
  if (payload !== undefined && payload !== null && payload !== '' && !isPlainObject(payload)) return payload;
  return {
    ...(payload as Record<string, unknown> | undefined),
    ...(params.id ? { requestId: params.id } : {}),
    ...(params.action ? { action: params.action } : {}),
  };
}

export = (RED: RED) => {
  function MediaActionNode(this: Node, config: MediaActionConfig) {
    const { light, clock } = startFlowNode(RED, this, config);
    const policy = guardActingNode(RED, this, config.store);
    const storeNode = requiredStore(RED, this, 'media-action', config.store);
    if (!storeNode) return;
    const node = <T>(id: string): T | undefined => (id ? ((RED.nodes.getNode(id) as T | null) ?? undefined) : undefined);
    const arrs = ARR_REFS.map((field) => node<ArrServerNode>(config[field])).flatMap((s) => (s?.client ? [{ instance: s.instance, client: s.client }] : []));
    const services = {
      arrs,
      jellyseerr: node<JellyseerrServerNode>(config.jellyseerr)?.client,
      qbittorrent: node<QbittorrentServerNode>(config.qbittorrent)?.client,
      jellyfin: node<JellyfinServerNode>(config.jellyfin)?.client,
    };
    const stopUsingStore = useStore(storeNode, light);
    const sendNews = (news: TrackResult[]) => {
      if (!news.length) return;
      storeNode
        .store()
        .then((store) => stateChangesOf(news, store.outlook))
        .then((changes) => changes.forEach((change) => this.send([null, null, change])))
        .catch((err: Error) => this.error(err.message));
    };
    /** A service that refused is worth a line in the log: its URL, and its own words (they say what to check). */
    const logRefusal = (err: Error) => this.warn(RED._('media-action.errors.refused', { url: (err as ActionError).where ?? '-', error: err.message }));
    /** What was decided on its own (a deletion, an automatic retry) is worth one line in the log. */
    const logOutcomes = (outcomes: ActionOutcome[], errors: Error[] = []) => {
      for (const { result, news } of outcomes) {
        this.log(RED._('media-action.log.auto', { action: result.action, title: result.request?.title ?? '-', detail: result.detail ?? '' }));
        sendNews(news);
      }
      for (const err of errors) logRefusal(err);
    };
    let parts: { actions: MediaActions; deletion: DeletionSync; autoRetry: AutoRetry } | undefined;
    const partsFor = async () => {
      if (parts) return parts;
      const store = await storeNode.store();
      const track = storeNode.trackOptions;
      const now = () => clock.now();
      const actions = new MediaActions(store, services, { track });
      const deletion = new DeletionSync(
        store,
        services,
        {
          clearJellyseerr: config.clearJellyseerr === true,
          removeTorrents: config.removeTorrents === true,
          deleteFiles: config.deleteFiles === true,
          graceMs: numberFrom(config.deletionGraceHours, DEFAULT_GRACE_HOURS) * 3_600_000,
          dryRun: config.deletionDryRun !== false,
        },
        track,
        now,
      );
      const autoRetry = new AutoRetry(
        store,
        actions,
        services,
        {
          strikes: numberFrom(config.autoRetryStrikes, DEFAULT_AUTO_RETRY.strikes),
          perDownload: numberFrom(config.autoRetries, DEFAULT_AUTO_RETRY.perDownload),
          dailyCap: numberFrom(config.autoRetryDailyCap, DEFAULT_AUTO_RETRY.dailyCap),
          dryRun: config.autoRetryDryRun !== false,
        },
        track,
        now,
      );
      parts = { actions, deletion, autoRetry };
      if (deletion.enabled) store.on('committed', plan);
      return parts;
    };
    /** Deletion sync: every committed request is looked at; a new removal's deletion is planned, once. */
    let planning = Promise.resolve();
    const plan = (ids: number[]) => {
      planning = planning
        .then(async () => {
          for (const id of ids) sendNews((await parts?.deletion.plan(id)) ?? []);
        })
        .catch((err: Error) => light.report(err.message));
    };
    void partsFor().catch(() => undefined);
    // The sidebar's and the status page's buttons act through the media-action of their store.
    const leaveStore = storeNode.use(this, {
      act: async (input, by) => {
        try {
          const outcome = await (await partsFor()).actions.perform(MediaActions.parse(input), by);
          sendNews(outcome.news);
          return { status: 200, body: outcome.result };
        } catch (err) {
          if (err instanceof ActionError) return { status: err.statusCode, body: { ok: false, error: err.message } };
          throw err;
        }
      },
    });

    const passOnDue = async () => {
      const { outcomes, errors } = await (await partsFor()).deletion.due();
      logOutcomes(outcomes, errors);
      return outcomes;
    };
    const autoRetry = async () => {
      const { outcomes, news, errors } = await (await partsFor()).autoRetry.check();
      sendNews(news);
      logOutcomes(outcomes, errors);
      return outcomes;
    };
    const deletionOn = config.clearJellyseerr === true || config.removeTorrents === true;
    const timers = [
      new Interval(clock, config.autoRetry === true ? numberFrom(config.autoRetryMinutes, 5) * 60_000 : 0, autoRetry, (err) => this.error(err.message)),
      new Interval(clock, deletionOn ? DELETIONS_EVERY_MS : 0, passOnDue, (err) => this.error(err.message)),
    ];

    const answer = (msg: NodeMessageInFlow, send: Send, outcome: ActionOutcome) => {
      msg.statusCode = 200;
      msg.payload = outcome.result;
      light.show('ok', 'media-action.status.done', { action: outcome.result.action, title: outcome.result.request?.title ?? '-' });
      send([msg, null, null]);
      sendNews(outcome.news);
    };

    this.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      const work = async () => {
        if (msg.topic === AUTO_RETRY || msg.topic === DELETIONS) {
          const outcomes = await (msg.topic === AUTO_RETRY ? autoRetry() : passOnDue());
          msg.payload = { ok: true, done: outcomes.map((o) => o.result) };
          send([msg, null, null]);
          return;
        }
        try {
          // From an http in that no gate admitted (wired through other nodes): the same checks, on its headers.
          const refused = msg.req && !admitted(msg.req) ? actingRefusal(msg.req as ActingRequest, policy) : undefined;
          if (refused) throw new ActionError(refused.error, refused.statusCode);
          const input = MediaActions.parse(actionOf(msg));
          answer(msg, send, await (await partsFor()).actions.perform(input, whoAsked(msg)));
        } catch (err) {
          if (!(err instanceof ActionError)) throw err;
          msg.statusCode = err.statusCode;
          msg.payload = { ok: false, error: err.message };
          light.showText(err.statusCode === 502 ? 'problem' : 'attention', err.message);
          if (err.statusCode === 502) logRefusal(err);
          send([null, msg, null]);
        }
      };
      work()
        .then(() => done())
        .catch((err: Error) => done(err));
    });
    closeWith(
      this,
      stopUsingStore,
      leaveStore,
      // Not waited for: a store that never opens must not hold the close.
      () =>
        void storeNode
          .store()
          .then((store) => store.off('committed', plan))
          .catch(() => undefined),
      ...timers.map((t) => () => t.stop()),
      () => planning,
    );
  }
  RED.nodes.registerType('media-action', MediaActionNode);
};
