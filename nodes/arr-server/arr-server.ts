import { ArrClient } from '../../lib/services/arr/client';
import { arrInstanceOf } from '../../lib/services/arr/instance';
import { ArrSource } from '../../lib/services/arr/sync-source';
import { keyedConnectionFrom, type KeyedCredentials, type KeyedServerConfig } from '../shared/config-values';
import type { RED } from '../shared/red';
import { healthOf } from '../shared/config-node';
import type { ArrServerNode } from '../shared/types';

interface ArrServerConfig extends KeyedServerConfig {
  kind: 'radarr' | 'sonarr';
  instance: string;
  is4k: boolean;
}

export = (RED: RED) => {
  function ArrServer(this: ArrServerNode & KeyedCredentials, config: ArrServerConfig) {
    RED.nodes.createNode(this, config);
    const instance = arrInstanceOf(config);
    const { kind, name: instanceName } = instance;
    const { connection, problem } = keyedConnectionFrom(RED, this, config, kind === 'radarr' ? 'Radarr' : 'Sonarr');
    const client = connection && new ArrClient(kind, connection);
    const source = client && new ArrSource(instance, client);
    Object.assign(this, { source, client, instance, problem, instanceName, health: () => healthOf(client?.api, problem) });
  }
  RED.nodes.registerType('arr-server', ArrServer, { credentials: { apiKey: { type: 'password' } } });
};
