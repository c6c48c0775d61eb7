import { fetchImportFolders, parsePathMappings } from '../../lib/services/shoko/client';
import { ShokoHub } from '../../lib/services/shoko/hub';
import { keyedConnectionFrom, type KeyedCredentials, type KeyedServerConfig } from '../shared/config-values';
import { closeWith } from '../shared/interval';
import { clockOf, type RED } from '../shared/red';
import type { ShokoServerNode } from '../shared/types';

interface ShokoServerConfig extends KeyedServerConfig {
  pathMappings: string;
  resolveFolders: boolean;
}

export = (RED: RED) => {
  function ShokoServer(this: ShokoServerNode & KeyedCredentials, config: ShokoServerConfig) {
    RED.nodes.createNode(this, config);
    const { connection, problem } = keyedConnectionFrom(RED, this, config, 'Shoko');
    const mappings = parsePathMappings(config.pathMappings);
    if (!mappings.ok) this.error(mappings.error);
    let resolved = new Map<number, string>();
    this.folders = () => new Map([...resolved, ...(mappings.ok ? mappings.folders : [])]);

    const hub = connection
      ? new ShokoHub({
          ...connection,
          retry: RED.settings.shokoServerRetry,
          clock: clockOf(RED),
          connectTimeoutMs: RED.settings.shokoServerRetry?.connectMs,
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
      if (!connection?.apiKey || state.status !== 'connected' || config.resolveFolders === false) return;
      fetchImportFolders(connection.url, connection.apiKey, connection.tls).then(
        (folders) => (resolved = folders),
        (err: Error) => this.debug(RED._('shoko-server.log.folders', { message: err.message })),
      );
    });
    closeWith(this, () => hub?.stop());
  }
  RED.nodes.registerType('shoko-server', ShokoServer, {
    credentials: { apiKey: { type: 'password' } },
    // settings.js: shokoServerRetry: { initialMs, maxMs, authMs, connectMs }, how the hub connection retries.
    settings: { shokoServerRetry: { value: undefined, exportable: false } },
  });
};
