import type { NodeDef } from 'node-red';
import { fetchImportFolders, parsePathMappings } from '../../lib/services/shoko/client';
import { ShokoHub } from '../../lib/services/shoko/hub';
import { secretFrom, serviceUrlFrom, tlsTrustFrom } from '../shared/config-values';
import type { RED } from '../shared/red';
import type { ShokoServerNode } from '../shared/types';

interface ShokoServerConfig extends NodeDef {
  tlsCa?: string;
  tlsFingerprint?: string;
  url: string;
  apiKeyEnv: string;
  pathMappings: string;
  resolveFolders: boolean;
}

type Credentials = { apiKey: unknown };

export = (RED: RED) => {
  function ShokoServer(this: ShokoServerNode & { credentials: Credentials }, config: ShokoServerConfig) {
    RED.nodes.createNode(this, config);
    const { url, problem } = serviceUrlFrom(this, config.url, 'Shoko');
    const apiKey = secretFrom(RED, this, this.credentials?.apiKey, config.apiKeyEnv);
    const tls = tlsTrustFrom(config);
    const mappings = parsePathMappings(config.pathMappings);
    if (!mappings.ok) this.error(mappings.error);
    let resolved = new Map<number, string>();
    this.folders = () => new Map([...resolved, ...(mappings.ok ? mappings.folders : [])]);

    const hub = url
      ? new ShokoHub({
          url,
          apiKey,
          retry: RED.settings.shokoServerRetry,
          connectTimeoutMs: RED.settings.shokoServerRetry?.connectMs,
          tls,
          logger: {
            trace: (m) => this.trace(m),
            debug: (m) => this.debug(m),
            info: (m) => this.log(m),
            warn: (m) => this.warn(m),
            error: (m) => this.error(m),
          },
        })
      : undefined;
    Object.assign(this, { hub, problem });
    hub?.on('state', (state) => {
      if (!url || state.status !== 'connected' || config.resolveFolders === false || !apiKey) return;
      fetchImportFolders(url, apiKey, tls).then(
        (folders) => (resolved = folders),
        (err: Error) => this.debug(RED._('shoko-server.log.folders', { message: err.message })),
      );
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      (hub ? hub.stop() : Promise.resolve()).catch(() => undefined).finally(done);
    });
  }
  RED.nodes.registerType('shoko-server', ShokoServer, {
    credentials: { apiKey: { type: 'password' } },
    // settings.js: shokoServerRetry: { initialMs, maxMs, authMs, connectMs }, how the hub connection retries.
    settings: { shokoServerRetry: { value: undefined, exportable: false } },
  });
};
