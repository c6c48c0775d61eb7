import type { Node, NodeAPI, NodeDef } from 'node-red';
import { parseWebhook, WEBHOOK_SOURCES, type WebhookSource } from '../../lib/sources/parse';
import { hasSecret, type RequestLike } from '../../lib/webhook-secret';
import { secretFrom } from '../shared';

interface ArrWebhookParseConfig extends NodeDef {
  source: WebhookSource | 'auto';
  /** Name of an environment variable holding the secret (used when no credential is set). */
  secretEnv: string;
}

type Credentials = { secret: unknown };

export = (RED: NodeAPI) => {
  function ArrWebhookParseNode(this: Node<Credentials>, config: ArrWebhookParseConfig) {
    RED.nodes.createNode(this, config);
    const source: WebhookSource | 'auto' = (WEBHOOK_SOURCES as readonly string[]).includes(config.source) ? config.source : 'auto';

    this.on('input', (msg, send, done) => {
      const secret = secretFrom(RED, this, this.credentials?.secret, config.secretEnv);
      if (secret && !hasSecret(msg.req as RequestLike | undefined, secret)) {
        msg.statusCode = 401;
        msg.payload = { ok: false, error: RED._('arr-webhook-parse.errors.secret') };
        this.status({ fill: 'red', shape: 'ring', text: 'arr-webhook-parse.status.unauthorized' });
        send([null, msg]);
        done();
        return;
      }
      const result = parseWebhook(msg.payload, source);
      if (!result.ok) {
        msg.statusCode = result.statusCode;
        msg.payload = { ok: false, error: result.error };
        this.status({ fill: 'red', shape: 'ring', text: RED._('arr-webhook-parse.status.invalid', { code: result.statusCode }) });
        send([null, msg]);
        done();
        return;
      }
      msg.topic = `${result.source}/${result.event.kind}`;
      msg.payload = result.event;
      this.status({ fill: 'green', shape: 'dot', text: msg.topic });
      send([msg, null]);
      done();
    });
  }
  RED.nodes.registerType('arr-webhook-parse', ArrWebhookParseNode, { credentials: { secret: { type: 'password' } } });
};
