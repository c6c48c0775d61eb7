import { JellyseerrClient } from '../../lib/services/jellyseerr/client';
import { configValue } from '../../lib/config-values';
import { JellyseerrSource } from '../../lib/services/jellyseerr/sync-source';
import { keyedConnectionFrom, type KeyedCredentials, type KeyedServerConfig } from '../shared/config-values';
import type { RED } from '../shared/red';
import { healthOf } from '../shared/config-node';
import type { JellyseerrServerNode } from '../shared/types';

interface JellyseerrServerConfig extends KeyedServerConfig {
  instance: string;
}

export = (RED: RED) => {
  function JellyseerrServer(this: JellyseerrServerNode & KeyedCredentials, config: JellyseerrServerConfig) {
    RED.nodes.createNode(this, config);
    const instanceName = configValue(config.instance) || 'jellyseerr';
    const { connection, problem } = keyedConnectionFrom(RED, this, config, 'Jellyseerr');
    const client = connection && new JellyseerrClient(connection);
    const source = client && new JellyseerrSource(instanceName, client);
    Object.assign(this, { source, client, problem, instanceName, health: () => healthOf(client?.api, problem) });
  }
  RED.nodes.registerType('jellyseerr-server', JellyseerrServer, { credentials: { apiKey: { type: 'password' } } });
};
