import type { Node, NodeDef } from 'node-red';
import type { HubState } from '../../lib/services/shoko/hub';
import { isFileEvent, isMetadataEvent, normaliseShoko, shokoEventName } from '../../lib/services/shoko/events';
import { requiredConfig } from '../shared/config-node';
import type { RED } from '../shared/red';
import { startFlowNode } from '../shared/status';
import type { ShokoServerNode } from '../shared/types';

interface ShokoInConfig extends NodeDef {
  server: string;
  passFile: boolean;
  passMetadata: boolean;
}

export = (RED: RED) => {
  function ShokoInNode(this: Node, config: ShokoInConfig) {
    const { light, clock } = startFlowNode(RED, this, config);
    const server = requiredConfig<ShokoServerNode>(
      RED,
      this,
      config.server,
      { status: 'shoko-in.status.noServer', error: 'shoko-in.errors.noServer' },
      (_m, _s, done, err) => done(err),
    );
    if (!server) return;
    const hub = server.hub;
    if (!hub) {
      if (server.problem) light.showText('problem', server.problem);
      else light.show('off', 'shoko-in.status.notConfigured');
      return;
    }
    const passFile = config.passFile !== false;
    const passMetadata = config.passMetadata === true;

    /** The connection as every shoko-in shows it. */
    const showState = (state: HubState) => {
      const reason = (state.reason ?? '').slice(0, 40);
      switch (state.status) {
        case 'connected':
          return light.show('ok', 'shoko-in.status.connected');
        case 'reconnecting':
          return light.show('waiting', 'shoko-in.status.reconnecting', { attempt: state.attempt });
        case 'auth-failed':
          return light.show('problem', 'shoko-in.status.authFailed', { reason });
        case 'disconnected':
          return light.show('problem', 'shoko-in.status.disconnected', { reason });
        case 'stopped':
          return light.clear();
        default:
          return light.show('waiting', 'shoko-in.status.connecting');
      }
    };
    const onInvocation = (target: string, argument: unknown) => {
      const name = shokoEventName(target);
      if (!name || (isFileEvent(name) && !passFile) || (isMetadataEvent(name) && !passMetadata) || name === 'OnConnected') return;
      const result = normaliseShoko(target, argument, new Date(clock.now()).toISOString(), server.folders());
      if (result.ok) this.send([{ topic: `shoko/${name}`, payload: result.event }, null]);
      else this.send([null, { topic: `shoko/${name}`, payload: { error: result.error, target, argument } }]);
    };
    hub.on('state', showState);
    hub.on('invocation', onInvocation);
    showState(hub.state);
    hub.start();

    this.on('close', (_removed: boolean, done: () => void) => {
      hub.off('state', showState);
      hub.off('invocation', onInvocation);
      done();
    });
  }
  RED.nodes.registerType('shoko-in', ShokoInNode);
};
