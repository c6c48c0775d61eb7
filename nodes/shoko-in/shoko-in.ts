import type { Node, NodeAPI, NodeDef, NodeStatus } from 'node-red';
import type { HubState } from '../../lib/clients/shoko-hub';
import { isFileEvent, isMetadataEvent, normaliseShoko, shokoEventName } from '../../lib/sources/shoko';
import type { ShokoServerNode } from '../types';

interface ShokoInConfig extends NodeDef {
  server: string;
  passFile: boolean;
  passMetadata: boolean;
}

export = (RED: NodeAPI) => {
  /** The connection state as every shoko-in shows it. */
  function statusOf(state: HubState): NodeStatus {
    const reason = (state.reason ?? '').slice(0, 40);
    switch (state.status) {
      case 'connected':
        return { fill: 'green', shape: 'dot', text: 'shoko-in.status.connected' };
      case 'reconnecting':
        return { fill: 'yellow', shape: 'ring', text: RED._('shoko-in.status.reconnecting', { attempt: state.attempt }) };
      case 'auth-failed':
        return { fill: 'red', shape: 'ring', text: RED._('shoko-in.status.authFailed', { reason }) };
      case 'disconnected':
        return { fill: 'red', shape: 'ring', text: RED._('shoko-in.status.disconnected', { reason }) };
      case 'stopped':
        return {};
      default:
        return { fill: 'yellow', shape: 'ring', text: 'shoko-in.status.connecting' };
    }
  }

  function ShokoInNode(this: Node, config: ShokoInConfig) {
    RED.nodes.createNode(this, config);
    const server = RED.nodes.getNode(config.server) as ShokoServerNode | null;
    const hub = server?.hub;
    if (!hub) {
      this.status({ fill: 'grey', shape: 'ring', text: 'shoko-in.status.notConfigured' });
      return;
    }
    const passFile = config.passFile !== false;
    const passMetadata = config.passMetadata === true;

    const onState = (state: HubState) => this.status(statusOf(state));
    const onInvocation = (target: string, argument: unknown) => {
      const name = shokoEventName(target);
      if (!name || (isFileEvent(name) && !passFile) || (isMetadataEvent(name) && !passMetadata) || name === 'OnConnected') return;
      const result = normaliseShoko(target, argument, new Date().toISOString(), server.folders());
      if (result.ok) this.send([{ topic: `shoko/${name}`, payload: result.event }, null]);
      else this.send([null, { topic: `shoko/${name}`, payload: { error: result.error, target, argument } }]);
    };
    hub.on('state', onState);
    hub.on('invocation', onInvocation);
    this.status(statusOf(hub.state));
    hub.start();

    this.on('close', (_removed: boolean, done: () => void) => {
      hub.off('state', onState);
      hub.off('invocation', onInvocation);
      done();
    });
  }
  RED.nodes.registerType('shoko-in', ShokoInNode);
};
