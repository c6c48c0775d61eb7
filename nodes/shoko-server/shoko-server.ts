import type { NodeAPI, NodeDef } from 'node-red';
import { fetchImportFolders, parsePathMappings } from '../../lib/clients/shoko-api';
import { ShokoHub, type RetryPolicy } from '../../lib/clients/shoko-hub';
import { configValue } from '../../lib/config-values';
import { secretFrom } from '../shared';
import type { ShokoServerNode } from '../types';

interface ShokoServerConfig extends NodeDef {
  url: string;
  apiKeyEnv: string;
  pathMappings: string;
  resolveFolders: boolean;
}

type Credentials = { apiKey: unknown };

export = (RED: NodeAPI) => {
  function ShokoServer(this: ShokoServerNode & { credentials: Credentials; hub: ShokoHub | undefined }, config: ShokoServerConfig) {
    RED.nodes.createNode(this, config);
    const url = configValue(config.url);
    const apiKey = secretFrom(RED, this, this.credentials?.apiKey, config.apiKeyEnv);
    const mappings = parsePathMappings(config.pathMappings);
    if (!mappings.ok) this.error(mappings.error);
    let resolved = new Map<number, string>();
    this.folders = () => new Map([...resolved, ...(mappings.ok ? mappings.folders : [])]);

    // Retry timings can be tuned in settings.js as shokoServerRetry: { initialMs, maxMs, authMs }.
    const retry = (RED.settings as unknown as { shokoServerRetry?: Partial<RetryPolicy> }).shokoServerRetry;
    this.hub = url
      ? new ShokoHub({
          url,
          apiKey,
          retry,
          logger: {
            trace: (m) => this.trace(m),
            debug: (m) => this.debug(m),
            info: (m) => this.log(m),
            warn: (m) => this.warn(m),
            error: (m) => this.error(m),
          },
        })
      : undefined;
    this.hub?.on('state', (state) => {
      if (state.status !== 'connected' || config.resolveFolders === false || !apiKey) return;
      fetchImportFolders(url, apiKey).then(
        (folders) => (resolved = folders),
        (err: Error) => this.debug(RED._('shoko-server.log.folders', { message: err.message })),
      );
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      (this.hub ? this.hub.stop() : Promise.resolve()).catch(() => undefined).finally(done);
    });
  }
  RED.nodes.registerType('shoko-server', ShokoServer, { credentials: { apiKey: { type: 'password' } } });
};
