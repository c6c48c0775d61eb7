import type { NodeDef } from 'node-red';
import { ArrClient } from '../../lib/services/arr/client';
import { arrInstanceOf } from '../../lib/services/arr/instance';
import { ArrSource } from '../../lib/services/arr/sync-source';
import { secretFrom, serviceUrlFrom, tlsTrustFrom } from '../shared/config-values';
import type { RED } from '../shared/red';
import { healthOf } from '../shared/config-node';
import type { ArrServerNode } from '../shared/types';

interface ArrServerConfig extends NodeDef {
  kind: 'radarr' | 'sonarr';
  instance: string;
  is4k: boolean;
  url: string;
  apiKeyEnv: string;
  tlsCa?: string;
  tlsFingerprint?: string;
}

type Credentials = { apiKey: unknown };

export = (RED: RED) => {
  function ArrServer(this: ArrServerNode & { credentials: Credentials }, config: ArrServerConfig) {
    RED.nodes.createNode(this, config);
    const instance = arrInstanceOf(config);
    const { kind, name: instanceName } = instance;
    const { url, problem } = serviceUrlFrom(this, config.url, kind === 'radarr' ? 'Radarr' : 'Sonarr');
    const client = url
      ? new ArrClient(kind, { url, apiKey: secretFrom(RED, this, this.credentials?.apiKey, config.apiKeyEnv), tls: tlsTrustFrom(config) })
      : undefined;
    const source = client && new ArrSource(instance, client);
    Object.assign(this, { source, client, instance, problem, instanceName, health: () => healthOf(client?.api, problem) });
  }
  RED.nodes.registerType('arr-server', ArrServer, { credentials: { apiKey: { type: 'password' } } });
};
