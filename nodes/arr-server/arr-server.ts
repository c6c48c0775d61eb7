import type { NodeDef } from 'node-red';
import { ArrClient, type ArrKind } from '../../lib/services/arr/client';
import { configValue } from '../../lib/config-values';
import { ArrSource } from '../../lib/services/arr/sync-source';
import { secretFrom, serviceUrlFrom, tlsTrustFrom } from '../shared/config-values';
import type { RED } from '../shared/red';
import { registry } from '../shared/registry';
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

/** The name a webhook's `?instance=` and the sync's report use: given, else `radarr`, `radarr-4k`, `sonarr`... */
function instanceNameOf(config: Pick<ArrServerConfig, 'kind' | 'instance' | 'is4k'>): string {
  return configValue(config.instance) || `${config.kind}${config.is4k ? '-4k' : ''}`;
}

export = (RED: RED) => {
  function ArrServer(this: ArrServerNode & { credentials: Credentials }, config: ArrServerConfig) {
    RED.nodes.createNode(this, config);
    const kind: ArrKind = config.kind === 'sonarr' ? 'sonarr' : 'radarr';
    const is4k = config.is4k === true;
    const instanceName = instanceNameOf({ kind, instance: config.instance, is4k });
    const { url, problem } = serviceUrlFrom(this, config.url, kind === 'radarr' ? 'Radarr' : 'Sonarr');
    const instance = { name: instanceName, kind, is4k };
    const client = url
      ? new ArrClient(kind, { url, apiKey: secretFrom(RED, this, this.credentials?.apiKey, config.apiKeyEnv), tls: tlsTrustFrom(config) })
      : undefined;
    const source = client && new ArrSource(instance, client);
    Object.assign(this, { source, client, instance, problem, instanceName });
    registry.arrInstances.set(instanceName, { is4k });
    registry.watchServer(this, client?.api, problem);
    this.on('close', (_removed: boolean, done: () => void) => {
      registry.arrInstances.delete(instanceName);
      done();
    });
  }
  RED.nodes.registerType('arr-server', ArrServer, { credentials: { apiKey: { type: 'password' } } });
};
