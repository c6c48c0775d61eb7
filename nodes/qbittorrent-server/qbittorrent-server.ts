import type { NodeAPI, NodeDef } from 'node-red';
import { QbitClient } from '../../lib/clients/qbittorrent';
import { configValue } from '../../lib/config-values';
import { secretFrom } from '../shared';
import type { QbittorrentServerNode } from '../types';

interface QbittorrentServerConfig extends NodeDef {
  url: string;
  usernameEnv: string;
  passwordEnv: string;
}

type Credentials = { username: unknown; password: unknown };

export = (RED: NodeAPI) => {
  function QbittorrentServer(this: QbittorrentServerNode & { credentials: Credentials; client: QbitClient | undefined }, config: QbittorrentServerConfig) {
    RED.nodes.createNode(this, config);
    const url = configValue(config.url);
    this.client = url
      ? new QbitClient({
          url,
          username: secretFrom(RED, this, this.credentials?.username, config.usernameEnv),
          password: secretFrom(RED, this, this.credentials?.password, config.passwordEnv),
        })
      : undefined;
  }
  RED.nodes.registerType('qbittorrent-server', QbittorrentServer, { credentials: { username: { type: 'text' }, password: { type: 'password' } } });
};
