import type { NodeDef } from 'node-red';
import { JellyfinClient } from '../../lib/services/jellyfin/client';
import { secretFrom, serviceUrlFrom, tlsTrustFrom } from '../shared/config-values';
import type { RED } from '../shared/red';
import type { JellyfinServerNode } from '../shared/types';

interface JellyfinServerConfig extends NodeDef {
  tlsCa?: string;
  tlsFingerprint?: string;
  url: string;
  apiKeyEnv: string;
}

type Credentials = { apiKey: unknown };

export = (RED: RED) => {
  function JellyfinServer(this: JellyfinServerNode & { credentials: Credentials }, config: JellyfinServerConfig) {
    RED.nodes.createNode(this, config);
    const { url, problem } = serviceUrlFrom(this, config.url, 'Jellyfin');
    const client = url
      ? new JellyfinClient({ url, apiKey: secretFrom(RED, this, this.credentials?.apiKey, config.apiKeyEnv), tls: tlsTrustFrom(config) })
      : undefined;
    Object.assign(this, { client, problem });
  }
  RED.nodes.registerType('jellyfin-server', JellyfinServer, { credentials: { apiKey: { type: 'password' } } });
};
