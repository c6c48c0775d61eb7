import type { Node, NodeDef, NodeStatus } from 'node-red';
import type { Clock } from '../../lib/clock';
import { clockOf, type RED } from './red';

/**
 * A node's status, the same way in every node of the package:
 * - ok: green dot (working, connected, last event applied)
 * - attention: yellow dot (working, but something needs a human)
 * - waiting: yellow ring (connecting, retrying, matched nothing)
 * - problem: red ring (cannot work: an error, a refused login, a missing config node)
 * - off: grey ring (not configured: idle on purpose)
 * - idle: grey dot (configured, nothing to do)
 */
export type StatusKind = 'ok' | 'attention' | 'waiting' | 'problem' | 'off' | 'idle';

const LOOK: Record<StatusKind, Pick<NodeStatus, 'fill' | 'shape'>> = {
  ok: { fill: 'green', shape: 'dot' },
  attention: { fill: 'yellow', shape: 'dot' },
  waiting: { fill: 'yellow', shape: 'ring' },
  problem: { fill: 'red', shape: 'ring' },
  off: { fill: 'grey', shape: 'ring' },
  idle: { fill: 'grey', shape: 'dot' },
};

/** Status texts are cut here, on a character, with an ellipsis. */
export const STATUS_MAX = 60;

/**
 * A problem as a status: the service's words without the address it called (a URL or an API path),
 * which the log line beside it names; so what to check ("check the API key") fits before the cut.
 */
export function conciseProblem(text: string): string {
  return text.replace(/ (?:https?:\/\/[^\s:]+(?::\d+)?)?\/[^\s:]*(?=:)/g, '');
}

export function truncate(text: string): string {
  return text.length > STATUS_MAX ? `${text.slice(0, STATUS_MAX - 1)}…` : text;
}

/** Translated status texts by key, their parameters left as __name__ (translating per message costs). */
const templates = new Map<string, string>();

export class StatusLight {
  /** The failure last written to the log, until the status shows something else. */
  private logged: string | undefined;
  /** The status shown now: showing it again changes nothing (a busy webhook route repeats its status). */
  private shown: { kind: StatusKind; text: string } | undefined;

  constructor(
    private readonly RED: RED,
    private readonly node: Node,
  ) {}

  private fill(key: string, params: Record<string, string | number>): string {
    let template = templates.get(key);
    if (template === undefined) {
      template = this.RED._(key, Object.fromEntries(Object.keys(params).map((name) => [name, `__${name}__`])));
      templates.set(key, template);
    }
    return template.replace(/__(\w+)__/g, (marker, name: string) => (name in params ? String(params[name]) : marker));
  }

  /**
   * `key`: a message catalog key. Without parameters it is sent as the key and the editor translates it
   * in the viewer's language; with parameters it is translated here.
   */
  show(kind: StatusKind, key: string, params?: Record<string, string | number>): void {
    this.set(kind, params ? truncate(this.fill(key, params)) : key);
  }

  /** Text that is not a message (a service's own error). */
  showText(kind: StatusKind, text: string): void {
    this.set(kind, truncate(kind === 'problem' ? conciseProblem(text) : text));
  }

  private set(kind: StatusKind, text: string): void {
    if (kind !== 'problem') this.logged = undefined;
    if (this.shown?.kind === kind && this.shown.text === text) return;
    this.shown = { kind, text };
    this.node.status({ ...LOOK[kind], text });
  }

  /**
   * A service's failure: a short red status, and one line in the log (again only when it changes, or
   * after the service worked) with the URL tried, never a credential, and what to check.
   */
  fail(text: string, where: string | undefined): void {
    const check = /check|is this/i.test(text) ? '' : ': check the URL, that the service runs, and its credentials';
    this.report(text, `${text}${where ? ` (${where})` : ''}${check}`);
  }

  /** A problem that is not a service's: a short red status, and `line` in the log once while it lasts. */
  report(text: string, line = text): void {
    this.showText('problem', text);
    if (line === this.logged) return;
    this.logged = line;
    this.node.error(line);
  }

  clear(): void {
    this.shown = undefined;
    this.node.status({});
  }
}

/** A flow node made: Node-RED's part done, with its status light and the package's clock (settings.js `mediaStatusClock`). */
export function startFlowNode(RED: RED, node: Node, config: NodeDef): { light: StatusLight; clock: Clock } {
  RED.nodes.createNode(node, config);
  return { light: new StatusLight(RED, node), clock: clockOf(RED) };
}
