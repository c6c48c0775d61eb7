import { JellyfinClient } from '../../lib/services/jellyfin/client';
import { keyedConnectionFrom, type KeyedCredentials, type KeyedServerConfig } from '../shared/config-values';
import type { RED } from '../shared/red';
import type { JellyfinServerNode } from '../shared/types';

export = (RED: RED) => {
  function JellyfinServer(this: JellyfinServerNode & KeyedCredentials, config: KeyedServerConfig) {
    RED.nodes.createNode(this, config);
    const { connection, problem } = keyedConnectionFrom(RED, this, config, 'Jellyfin');
    const client = connection && new JellyfinClient(connection);
    Object.assign(this, { client, problem });
  }
  RED.nodes.registerType('jellyfin-server', JellyfinServer, { credentials: { apiKey: { type: 'password' } } });
};
