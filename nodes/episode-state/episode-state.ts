import type { Node, NodeAPI, NodeDef } from 'node-red';
import { MediaEventSchema } from '../../lib/events';
import { formatIssues } from '../../lib/sources/schema-helpers';
import { replyOf, stateChangeOf, untrackedOf } from '../../lib/tracker/messages';
import { displayTitle } from '../../lib/tracker/snapshot';
import { checkStuck, DEFAULT_STUCK_MINUTES, parseStuckMinutes } from '../../lib/tracker/stuck';
import { track, type TrackOptions } from '../../lib/tracker/track';
import { configValue } from '../../lib/config-values';
import { secondsFrom } from '../shared';
import type { StatusStoreNode } from '../types';

interface EpisodeStateConfig extends NodeDef {
  store: string;
  createFromArr: boolean;
  availableOnImport: boolean;
  availableOnShokoMatch: boolean;
  stuckCheckSeconds: string;
  stuckMinutes: string;
}

/** A control message: look for stuck requests now (msg.now, ISO-8601, replaces the clock). */
const CHECK_STUCK = 'media-status/check-stuck';

export = (RED: NodeAPI) => {
  function EpisodeStateNode(this: Node, config: EpisodeStateConfig) {
    RED.nodes.createNode(this, config);
    const storeNode = RED.nodes.getNode(config.store) as StatusStoreNode | null;
    if (!storeNode) {
      this.status({ fill: 'red', shape: 'ring', text: 'episode-state.status.noStore' });
      this.on('input', (_msg, _send, done) => done(new Error(RED._('episode-state.errors.noStore'))));
      return;
    }
    const options: TrackOptions = {
      createFromArr: config.createFromArr !== false,
      availableOnImport: config.availableOnImport === true,
      availableOnShokoMatch: config.availableOnShokoMatch === true,
    };

    const stuck = parseStuckMinutes(config.stuckMinutes);
    if (!stuck.ok) this.error(stuck.error);
    const thresholds = stuck.ok ? stuck.thresholds : DEFAULT_STUCK_MINUTES;
    const checkStuckNow = async (now: Date) => {
      const results = await checkStuck(await storeNode.store(), now, thresholds, options);
      for (const result of results) {
        const change = stateChangeOf(result);
        if (change) this.send([null, change, null]);
      }
      return results.filter((r) => r.notify).length;
    };
    // 0 turns the timer off (a flow with several episode-state nodes on one store needs it once).
    const stuckEveryMs = configValue(config.stuckCheckSeconds) === '0' ? 0 : secondsFrom(config.stuckCheckSeconds, 60) * 1000;
    let timer: NodeJS.Timeout | undefined;
    let closing = false;
    const loop = () => {
      checkStuckNow(new Date())
        .catch((err: Error) => this.error(err.message))
        .finally(() => {
          if (!closing) timer = setTimeout(loop, stuckEveryMs);
        });
    };
    if (stuckEveryMs) timer = setTimeout(loop, stuckEveryMs);
    this.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      clearTimeout(timer);
      done();
    });

    this.on('input', (msg, send, done) => {
      if (msg.topic === CHECK_STUCK) {
        const now = typeof msg.now === 'string' && !Number.isNaN(Date.parse(msg.now)) ? new Date(msg.now) : new Date();
        checkStuckNow(now)
          .then((flagged) => {
            msg.payload = { ok: true, flagged };
            send([msg, null, null]);
            done();
          })
          .catch((err: Error) => done(err));
        return;
      }
      const parsed = MediaEventSchema.safeParse(msg.payload);
      if (!parsed.success) {
        this.status({ fill: 'red', shape: 'ring', text: 'episode-state.status.badEvent' });
        done(new Error(RED._('episode-state.errors.badEvent', { detail: formatIssues(parsed.error) })));
        return;
      }
      const event = parsed.data;
      storeNode
        .store()
        .then((store) => track(store, event, options))
        .then((result) => {
          // Committed: only now does anything leave this node.
          msg.payload = replyOf(result);
          const change = stateChangeOf(result);
          const untracked = untrackedOf(result, event);
          if (result.request) {
            const text = `${displayTitle(result.request)}: ${result.request.state}`;
            this.status({ fill: result.request.attention ? 'yellow' : 'green', shape: 'dot', text: text.length > 40 ? `${text.slice(0, 39)}…` : text });
          } else if (result.outcome === 'unmatched') {
            this.status({ fill: 'yellow', shape: 'ring', text: 'episode-state.status.unmatched' });
          }
          // One send per output: Node-RED clones every message of a send but the first, and these are
          // fresh objects nobody else holds.
          send([msg, null, null]);
          if (change) send([null, change, null]);
          if (untracked) send([null, null, untracked]);
          done();
        })
        .catch((err: Error) => {
          this.status({ fill: 'red', shape: 'ring', text: 'episode-state.status.error' });
          done(err);
        });
    });
  }
  RED.nodes.registerType('episode-state', EpisodeStateNode);
};
