import type { NodeAPI, NodeDef } from 'node-red';
import { JellyfinClient } from '../../lib/clients/jellyfin';
import { configValue } from '../../lib/config-values';
import { secretFrom } from '../shared';
import type { JellyfinServerNode } from '../types';

interface JellyfinServerConfig extends NodeDef {
  url: string;
  apiKeyEnv: string;
}

type Credentials = { apiKey: unknown };

export = (RED: NodeAPI) => {
  function JellyfinServer(this: JellyfinServerNode & { credentials: Credentials; client: JellyfinClient | undefined }, config: JellyfinServerConfig) {
    RED.nodes.createNode(this, config);
    const url = configValue(config.url);
    this.client = url ? new JellyfinClient({ url, apiKey: secretFrom(RED, this, this.credentials?.apiKey, config.apiKeyEnv) }) : undefined;
  }
  RED.nodes.registerType('jellyfin-server', JellyfinServer, { credentials: { apiKey: { type: 'password' } } });
};
