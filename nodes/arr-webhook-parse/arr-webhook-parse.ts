import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { parseWebhook, WEBHOOK_SOURCES, type WebhookSource } from '../../lib/services/webhooks';
import { refusal, type RequestLike } from '../../lib/webhook-secret';
import type { Done, Send } from '../shared/config-node';
import { secretFrom } from '../shared/config-values';
import type { RED } from '../shared/red';
import { arrInstanceOf, type ArrInstanceSettings } from '../../lib/services/arr/instance';
import { startFlowNode } from '../shared/status';
import { admitted, guardWebhookRoutes } from '../shared/route-gate';

interface ArrWebhookParseConfig extends NodeDef {
  source: WebhookSource | 'auto';
  /** Name of an environment variable holding the secret (used when no credential is set). */
  secretEnv: string;
}

type Credentials = { secret: unknown };

export = (RED: RED) => {
  function ArrWebhookParseNode(this: Node<Credentials>, config: ArrWebhookParseConfig) {
    const { light, clock } = startFlowNode(RED, this, config);
    /**
     * The arr instance a webhook names (`/hooks/radarr?instance=radarr-4k`): 4K when the deployed
     * arr-server node of that name is ticked 4K (looked up as deployed now: a deploy of that node
     * alone does not restart this one), or, with no such node, when its name says "4k".
     * Undefined: the arr's default.
     */
    const instanceOf = (req: unknown): { name: string; is4k: boolean } | undefined => {
      const name = (req as { query?: Record<string, unknown> } | undefined)?.query?.instance;
      if (typeof name !== 'string' || !name.trim()) return undefined;
      const trimmed = name.trim().slice(0, 100);
      let is4k: boolean | undefined;
      RED.nodes.eachNode((def) => {
        const instance = def.type === 'arr-server' ? arrInstanceOf(def as ArrInstanceSettings) : undefined;
        if (instance?.name === trimmed) is4k = instance.is4k;
      });
      return { name: trimmed, is4k: is4k ?? /4k/i.test(trimmed) };
    };
    const source: WebhookSource | 'auto' = (WEBHOOK_SOURCES as readonly string[]).includes(config.source) ? config.source : 'auto';
    // Fixed for the deployment (a credential, or an environment variable read at deploy).
    const secret = secretFrom(RED, this, this.credentials?.secret, config.secretEnv);
    // An open door is visible: anyone who reaches Node-RED can create and change requests.
    const open = !secret;
    if (open) {
      light.show('waiting', 'arr-webhook-parse.status.open');
      this.warn(RED._('arr-webhook-parse.warnings.open'));
    }
    const guard = guardWebhookRoutes(RED, this, secret);
    for (const url of guard.rawBodyRoutes) this.warn(RED._('arr-webhook-parse.warnings.rawBody', { url }));

    this.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      const reject = (statusCode: number, error: string, status: string, params?: Record<string, string | number>) => {
        msg.statusCode = statusCode;
        msg.payload = { ok: false, error };
        light.show('problem', status, params);
        send([null, msg]);
        done();
      };
      // The http in gate checked what it admitted before the body was read; anything else is checked here.
      const refused = admitted(msg.req) ? undefined : refusal(msg.req as RequestLike | undefined, secret);
      if (refused)
        return reject(
          refused.statusCode,
          refused.error,
          refused.statusCode === 401 ? 'arr-webhook-parse.status.unauthorized' : 'arr-webhook-parse.status.browser',
        );
      const result = parseWebhook(msg.payload, source, new Date(clock.now()), instanceOf(msg.req));
      if (!result.ok) return reject(result.statusCode, result.error, 'arr-webhook-parse.status.invalid', { code: result.statusCode });
      msg.topic = `${result.source}/${result.event.kind}`;
      msg.payload = result.event;
      if (open) light.show('attention', 'arr-webhook-parse.status.openEvent', { topic: msg.topic });
      else light.showText('ok', msg.topic);
      send([msg, null]);
      done();
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      guard.remove();
      done();
    });
  }
  RED.nodes.registerType('arr-webhook-parse', ArrWebhookParseNode, { credentials: { secret: { type: 'password' } } });
};
