import { JellyfinClient } from '../../lib/services/jellyfin/client';
import { keyedConnectionFrom, type KeyedCredentials, type KeyedServerConfig } from '../shared/config-values';
import type { RED } from '../shared/red';
import type { JellyfinServerNode } from '../shared/types';

export = (RED: RED) => {
  function JellyfinServer(this: JellyfinServerNode & KeyedCredentials, config: KeyedServerConfig) {
    RED.nodes.createNode(this, config);
    const { connection, problem } = keyedConnectionFrom(RED, this, config, 'Jellyfin');
    const client = connection && new JellyfinClient(connection);
    // The address people's watch-now links open: the one they reach from their phones, when it differs.
    const publicUrl = process.env.JELLYFIN_PUBLIC_URL?.trim() || connection?.url;
    Object.assign(this, { client, problem, publicUrl });
  }
  RED.nodes.registerType('jellyfin-server', JellyfinServer, { credentials: { apiKey: { type: 'password' } } });
};
