import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { actingRefusal, type ActingRequest } from '../../lib/acting-access';
import { ActionError, MediaActions, type ActionOutcome } from '../../lib/actions/actions';
import { isPlainObject } from '../../lib/sources/schema-helpers';
import { stateChangeOf } from '../../lib/tracker/messages';
import type { TrackResult } from '../../lib/tracker/track';
import { requiredStore, type Done, type Send } from '../shared/config-node';
import { numberFrom } from '../shared/config-values';
import { Interval } from '../shared/interval';
import type { RED } from '../shared/red';
import { registry } from '../shared/registry';
import { admitted, admittedActor, guardActingNode } from '../shared/route-gate';
import { StatusLight } from '../shared/status';
import { useStore } from '../shared/store-user';
import { ARR_REFS, type ArrServerNode, type JellyfinServerNode, type JellyseerrServerNode, type QbittorrentServerNode, type ServerRefs } from '../shared/types';

interface MediaActionConfig extends NodeDef, ServerRefs {
  store: string;
  qbittorrent: string;
  jellyfin: string;
  clearJellyseerr: boolean;
  removeTorrents: boolean;
  deleteFiles: boolean;
  autoRetry: boolean;
  autoRetries: string;
  autoRetryMinutes: string;
}

/** A control message: run the automatic retry now. */
const AUTO_RETRY = 'media-status/auto-retry';

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
    RED.nodes.createNode(this, config);
    const light = new StatusLight(RED, this);
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
      for (const result of news) {
        const change = stateChangeOf(result);
        if (change) this.send([null, null, change]);
      }
    };
    let actions: MediaActions | undefined;
    const actionsFor = async (): Promise<MediaActions> => {
      if (actions) return actions;
      const store = await storeNode.store();
      actions = new MediaActions(store, services, {
        track: storeNode.trackOptions,
        clearJellyseerr: config.clearJellyseerr === true,
        removeTorrents: config.removeTorrents === true,
        deleteFiles: config.deleteFiles === true,
        autoRetries: config.autoRetry === true ? numberFrom(config.autoRetries, 2) : 0,
      });
      // The sidebar's and the status page's buttons act through the first media-action of a store.
      if (!registry.actions.has(storeNode.id)) registry.actions.set(storeNode.id, { actions, notify: sendNews });
      if (config.clearJellyseerr === true || config.removeTorrents === true) store.on('committed', passOn);
      return actions;
    };
    /** Deletion sync: every committed request is looked at; a new removal is passed on, once. */
    let passing = Promise.resolve();
    const passOn = (ids: number[]) => {
      passing = passing
        .then(async () => {
          for (const id of ids) {
            const outcome = await actions?.passOnDeletion(id);
            if (outcome) sendNews(outcome.news);
          }
        })
        .catch((err: Error) => {
          light.showText('problem', err.message);
          this.error(err.message);
        });
    };
    void actionsFor().catch(() => undefined);

    const autoRetry = async () => {
      const outcomes = await (await actionsFor()).autoRetry();
      for (const outcome of outcomes) sendNews(outcome.news);
      return outcomes;
    };
    const timer = new Interval(config.autoRetry === true ? numberFrom(config.autoRetryMinutes, 5) * 60_000 : 0, autoRetry, (err) => this.error(err.message));

    const answer = (msg: NodeMessageInFlow, send: Send, outcome: ActionOutcome) => {
      msg.statusCode = 200;
      msg.payload = outcome.result;
      light.show('ok', 'media-action.status.done', { action: outcome.result.action, title: outcome.result.request?.title ?? '-' });
      send([msg, null, null]);
      sendNews(outcome.news);
    };

    this.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      const work = async () => {
        if (msg.topic === AUTO_RETRY) {
          const outcomes = await autoRetry();
          msg.payload = { ok: true, retried: outcomes.length };
          send([msg, null, null]);
          return;
        }
        try {
          // From an http in that no gate admitted (wired through other nodes): the same checks, on its headers.
          const refused = msg.req && !admitted(msg.req) ? actingRefusal(msg.req as ActingRequest, policy) : undefined;
          if (refused) throw new ActionError(refused.error, refused.statusCode);
          const input = MediaActions.parse(actionOf(msg));
          answer(msg, send, await (await actionsFor()).perform(input, whoAsked(msg)));
        } catch (err) {
          if (!(err instanceof ActionError)) throw err;
          msg.statusCode = err.statusCode;
          msg.payload = { ok: false, error: err.message };
          light.showText(err.statusCode === 502 ? 'problem' : 'attention', err.message);
          // A service that refused is worth a line in the log (its own words say what to check).
          if (err.statusCode === 502) this.warn(RED._('media-action.errors.refused', { error: err.message }));
          send([null, msg, null]);
        }
      };
      work()
        .then(() => done())
        .catch((err: Error) => done(err));
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      stopUsingStore();
      if (actions && registry.actions.get(storeNode.id)?.actions === actions) registry.actions.delete(storeNode.id);
      void storeNode
        .store()
        .then((store) => store.off('committed', passOn))
        .catch(() => undefined);
      void Promise.all([timer.stop(), passing]).finally(done);
    });
  }
  RED.nodes.registerType('media-action', MediaActionNode);
};
