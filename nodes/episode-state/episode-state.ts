import type { Node, NodeAPI, NodeDef } from 'node-red';
import { MediaEventSchema } from '../../lib/events';
import { formatIssues } from '../../lib/sources/schema-helpers';
import { replyOf, stateChangeOf, untrackedOf } from '../../lib/tracker/messages';
import { displayTitle } from '../../lib/tracker/snapshot';
import { track, type TrackOptions } from '../../lib/tracker/track';
import type { StatusStoreNode } from '../types';

interface EpisodeStateConfig extends NodeDef {
  store: string;
  createFromArr: boolean;
  availableOnImport: boolean;
  availableOnShokoMatch: boolean;
}

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

    this.on('input', (msg, send, done) => {
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
          send([msg, change ?? null, untracked ?? null]);
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
