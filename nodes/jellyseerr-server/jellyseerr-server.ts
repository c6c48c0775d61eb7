import type { NodeDef } from 'node-red';
import { JellyseerrClient } from '../../lib/services/jellyseerr/client';
import { configValue } from '../../lib/config-values';
import { JellyseerrSource } from '../../lib/services/jellyseerr/sync-source';
import { secretFrom, serviceUrlFrom, tlsTrustFrom } from '../shared/config-values';
import type { RED } from '../shared/red';
import { healthOf } from '../shared/config-node';
import type { JellyseerrServerNode } from '../shared/types';

interface JellyseerrServerConfig extends NodeDef {
  instance: string;
  url: string;
  apiKeyEnv: string;
  tlsCa?: string;
  tlsFingerprint?: string;
}

type Credentials = { apiKey: unknown };

export = (RED: RED) => {
  function JellyseerrServer(this: JellyseerrServerNode & { credentials: Credentials }, config: JellyseerrServerConfig) {
    RED.nodes.createNode(this, config);
    const instanceName = configValue(config.instance) || 'jellyseerr';
    const { url, problem } = serviceUrlFrom(this, config.url, 'Jellyseerr');
    const client = url
      ? new JellyseerrClient({ url, apiKey: secretFrom(RED, this, this.credentials?.apiKey, config.apiKeyEnv), tls: tlsTrustFrom(config) })
      : undefined;
    const source = client && new JellyseerrSource(instanceName, client);
    Object.assign(this, { source, client, problem, instanceName, health: () => healthOf(client?.api, problem) });
  }
  RED.nodes.registerType('jellyseerr-server', JellyseerrServer, { credentials: { apiKey: { type: 'password' } } });
};
