import type { Express } from 'express';
import { join } from 'node:path';
import { ROOT } from './fixtures';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** node-red-node-test-helper (untyped) on the Node-RED this package tests against. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper: any = require('node-red-node-test-helper');
helper.init(require.resolve('node-red'));

const nodes = (name: string) => require(join(ROOT, 'dist', 'nodes', name, `${name}.js`));
export const statusStore = nodes('status-store');
export const arrWebhookParse = nodes('arr-webhook-parse');
export const episodeState = nodes('episode-state');
export const statusQuery = nodes('status-query');
export const shokoServer = nodes('shoko-server');
export const shokoIn = nodes('shoko-in');
export const ALL_NODES = [
  statusStore, arrWebhookParse, episodeState, statusQuery, shokoServer, shokoIn,
  nodes('qbittorrent-server'), nodes('qbit-progress'), nodes('jellyfin-server'), nodes('jellyfin-verify'), nodes('status-page'),
];

// http in / http response live in @node-red/nodes (hoisted beside node-red).
export const httpIn = require(require.resolve('@node-red/nodes/core/network/21-httpin.js'));

/**
 * The helper exposes only the admin app; http in routes live on RED.httpNode. This module records
 * it so tests can send real HTTP requests into a flow (supertest).
 */
let httpNodeApp: Express | undefined;
export function captureHttpNode(RED: any): void {
  httpNodeApp = RED.httpNode;
}
export function httpNode(): Express {
  if (!httpNodeApp) throw new Error('load captureHttpNode with the flow first');
  return httpNodeApp;
}

/** The next message a helper node receives. */
export function nextMessage(node: any): Promise<any> {
  return new Promise((resolve) => node.once('input', resolve));
}

/**
 * Node-RED treats a node without x/y as a config node (flows/util.js), which changes the order it is
 * created in and how references are resolved; give every wired node a position.
 */
export function placed<T extends Record<string, unknown>>(flow: T[]): T[] {
  return flow.map((n) => (n.type !== 'tab' && 'wires' in n && !('x' in n) ? { ...n, x: 100, y: 100 } : n));
}

/** A node's status calls (the helper spies on the shared Node prototype: keep this node's own). */
export function statusCalls(node: any): any[] {
  return node.status.getCalls().filter((call: any) => call.thisValue === node);
}
