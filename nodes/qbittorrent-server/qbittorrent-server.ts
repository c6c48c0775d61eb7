import type { NodeDef } from 'node-red';
import { QbitClient } from '../../lib/services/qbittorrent/client';
import { secretFrom, serviceUrlFrom, tlsTrustFrom } from '../shared/config-values';
import type { RED } from '../shared/red';
import type { QbittorrentServerNode } from '../shared/types';

interface QbittorrentServerConfig extends NodeDef {
  tlsCa?: string;
  tlsFingerprint?: string;
  url: string;
  usernameEnv: string;
  passwordEnv: string;
}

type Credentials = { username: unknown; password: unknown };

export = (RED: RED) => {
  function QbittorrentServer(this: QbittorrentServerNode & { credentials: Credentials }, config: QbittorrentServerConfig) {
    RED.nodes.createNode(this, config);
    const { url, problem } = serviceUrlFrom(this, config.url, 'qBittorrent');
    const client = url
      ? new QbitClient({
          url,
          username: secretFrom(RED, this, this.credentials?.username, config.usernameEnv),
          password: secretFrom(RED, this, this.credentials?.password, config.passwordEnv),
          tls: tlsTrustFrom(config),
        })
      : undefined;
    Object.assign(this, { client, problem });
  }
  RED.nodes.registerType('qbittorrent-server', QbittorrentServer, { credentials: { username: { type: 'text' }, password: { type: 'password' } } });
};
