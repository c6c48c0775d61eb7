import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { RefusedEventError } from '../../lib/errors';
import { checkEvent } from '../../lib/event-check';
import { formatIssues } from '../../lib/services/http/schema-helpers';
import { replyOf, serviceNoticeOf, stateChangesOf, untrackedOf } from '../../lib/tracker/messages';
import { displayTitle } from '../../lib/tracker/snapshot';
import { track, type TrackResult } from '../../lib/tracker/track';
import { requiredStore, type Done, type Send } from '../shared/config-node';
import { trackOptionsFrom } from '../shared/config-values';
import { AnswersInFlight, answerDirectly } from '../shared/http';
import type { RED } from '../shared/red';
import { startFlowNode } from '../shared/status';
import { useStore } from '../shared/store-user';

interface EpisodeStateConfig extends NodeDef {
  store: string;
  /** Before 0.2 the tracker's rules lived here; they are the status-store's now. */
  createFromArr?: boolean;
  availableOnImport?: boolean;
  availableOnShokoMatch?: boolean;
  /** Before 0.2 the stuck timer lived here; it is the status-store's now. */
  stuckCheckSeconds?: string;
  stuckMinutes?: string;
}

/** A control message: look for stuck requests now (msg.now, ISO-8601, replaces the clock). */
const CHECK_STUCK = 'media-status/check-stuck';

export = (RED: RED) => {
  function EpisodeStateNode(this: Node, config: EpisodeStateConfig) {
    const { light, clock } = startFlowNode(RED, this, config);
    const storeNode = requiredStore(RED, this, 'episode-state', config.store);
    if (!storeNode) return;
    if (config.stuckMinutes || (config.stuckCheckSeconds && config.stuckCheckSeconds !== '60')) this.warn(RED._('episode-state.warnings.stuckMoved'));
    // Before 0.2 the tracker's rules were ticked here; a node that changed one keeps it (and is told where they live now).
    const legacy = config.createFromArr === false || config.availableOnImport === true || config.availableOnShokoMatch === true;
    if (legacy) this.warn(RED._('episode-state.warnings.rulesMoved'));
    const options = legacy ? trackOptionsFrom(config) : storeNode.trackOptions;
    const stopUsingStore = useStore(storeNode, light);
    const sendChanges = async (results: TrackResult[]) => {
      for (const change of await stateChangesOf(results, (await storeNode.store()).outlook)) this.send([null, change, null]);
    };
    const withdrawStuckOutput = storeNode.offerStuckOutput((results) => sendChanges(results).catch((err: Error) => this.error(err.message)));

    /** Work in flight: a close waits for it, so nothing committed goes unanswered. */
    const inFlight = new Set<Promise<void>>();
    let closing = false;
    /**
     * The answer on output 1. Once the flow is stopping, the http response node is gone (Node-RED drops
     * messages to stopped nodes): the webhook is answered here, so its sender learns it was stored.
     */
    const answers = new AnswersInFlight();
    const answer = (msg: NodeMessageInFlow, send: Send) => {
      if (closing && answerDirectly(msg, Number(msg.statusCode) || 200, msg.payload)) return;
      answers.track(msg);
      send([msg, null, null]);
    };

    const showResult = (result: TrackResult) => {
      if (result.request) {
        const params = { title: displayTitle(result.request), state: result.request.state };
        light.show(result.request.attention ? 'attention' : 'ok', 'episode-state.status.request', params);
      } else if (result.outcome === 'unmatched') light.show('waiting', 'episode-state.status.unmatched');
    };

    const handle = async (msg: NodeMessageInFlow, send: Send, done: Done): Promise<void> => {
      if (msg.topic === CHECK_STUCK) {
        const now = typeof msg.now === 'string' && !Number.isNaN(Date.parse(msg.now)) ? new Date(msg.now) : new Date(clock.now());
        const results = await storeNode.checkStuck(now);
        await sendChanges(results);
        msg.payload = { ok: true, flagged: results.filter((r) => r.notify).length };
        answer(msg, send);
        return done();
      }
      const parsed = await checkEvent(msg.payload);
      if (!parsed.success) {
        light.show('problem', 'episode-state.status.badEvent');
        return done(new Error(RED._('episode-state.errors.badEvent', { detail: formatIssues(parsed.error) })));
      }
      const event = parsed.data;
      let result: TrackResult;
      try {
        result = await track(await storeNode.store(), event, options);
      } catch (err) {
        if (!(err instanceof RefusedEventError)) throw err;
        // Understood and refused (a limit): nothing stored, and a retry would not help.
        msg.statusCode = err.statusCode;
        msg.payload = { ok: false, error: err.message };
        light.report(err.message);
        answer(msg, send);
        return done();
      }
      // Committed: only now does anything leave this node.
      msg.payload = replyOf(result);
      showResult(result);
      // One send per output: Node-RED clones every message of a send but the first, and these are
      // fresh objects nobody else holds.
      answer(msg, send);
      for (const change of await stateChangesOf([result], (await storeNode.store()).outlook)) send([null, change, null]);
      // A service's health, beside the state changes, for the notifiers (it is about no request).
      const notice = serviceNoticeOf(event);
      if (notice) send([null, notice, null]);
      const untracked = untrackedOf(result, event);
      if (untracked) send([null, null, untracked]);
      done();
    };

    this.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      const work = handle(msg, send, done).catch((err: Error) => {
        light.show('problem', 'episode-state.status.error');
        if (closing) answerDirectly(msg, 503, { ok: false, error: err.message });
        done(err);
      });
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      withdrawStuckOutput();
      stopUsingStore();
      void Promise.allSettled([...inFlight])
        .then(() => answers.flush())
        .then(() => done());
    });
  }
  RED.nodes.registerType('episode-state', EpisodeStateNode);
};
