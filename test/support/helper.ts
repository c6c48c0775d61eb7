import type { Express } from 'express';
import type { Node, NodeAPI, NodeInitializer, NodeStatus } from 'node-red';
import helper from 'node-red-node-test-helper';
import type { SinonSpy, SinonSpyCall } from 'sinon';
import arrServer from '../../nodes/arr-server/arr-server';
import arrWebhookParse from '../../nodes/arr-webhook-parse/arr-webhook-parse';
import episodeState from '../../nodes/episode-state/episode-state';
import jellyfinServer from '../../nodes/jellyfin-server/jellyfin-server';
import jellyfinVerify from '../../nodes/jellyfin-verify/jellyfin-verify';
import jellyseerrServer from '../../nodes/jellyseerr-server/jellyseerr-server';
import mediaAction from '../../nodes/media-action/media-action';
import mediaNotify from '../../nodes/media-notify/media-notify';
import mediaHa from '../../nodes/media-ha/media-ha';
import mediaSync from '../../nodes/media-sync/media-sync';
import qbitProgress from '../../nodes/qbit-progress/qbit-progress';
import qbittorrentServer from '../../nodes/qbittorrent-server/qbittorrent-server';
import shokoIn from '../../nodes/shoko-in/shoko-in';
import shokoServer from '../../nodes/shoko-server/shoko-server';
import statusPage from '../../nodes/status-page/status-page';
import statusQuery from '../../nodes/status-query/status-query';
import statusStore from '../../nodes/status-store/status-store';
import type { StatusStoreNode } from '../../nodes/shared/types';

/** node-red-node-test-helper on the Node-RED this package tests against. */
helper.init(require.resolve('node-red'));
export { helper };
export type TestFlows = helper.TestFlows;

export { arrWebhookParse, episodeState, shokoIn, shokoServer, statusQuery, statusStore };
export const ALL_NODES: NodeInitializer[] = [
  statusStore,
  arrWebhookParse,
  episodeState,
  statusQuery,
  shokoServer,
  shokoIn,
  qbittorrentServer,
  qbitProgress,
  jellyfinServer,
  jellyfinVerify,
  statusPage,
  jellyseerrServer,
  arrServer,
  mediaSync,
  mediaAction,
  mediaNotify,
  mediaHa,
];

// http in / http response live in @node-red/nodes (hoisted beside node-red), which ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const httpIn = require(require.resolve('@node-red/nodes/core/network/21-httpin.js')) as NodeInitializer;
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const mqtt = require(require.resolve('@node-red/nodes/core/network/10-mqtt.js')) as NodeInitializer;
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const change = require(require.resolve('@node-red/nodes/core/function/15-change.js')) as NodeInitializer;

/**
 * The helper exposes only the admin app; http in routes live on RED.httpNode. This module records
 * it so tests can send real HTTP requests into a flow (supertest).
 */
let httpNodeApp: Express | undefined;
export function captureHttpNode(RED: NodeAPI): void {
  httpNodeApp = RED.httpNode as unknown as Express;
}
export function httpNode(): Express {
  if (!httpNodeApp) throw new Error('load captureHttpNode with the flow first');
  return httpNodeApp;
}

/** A node of the loaded flow, as the type the test knows it to be. */
export function nodeOf<T extends Node = Node>(id: string): T {
  const node = helper.getNode(id);
  if (!node) throw new Error(`no node ${id} in the loaded flow`);
  return node as T;
}

/** The open store of a status-store node of the loaded flow. */
export function storeOf(id = 'store') {
  return nodeOf<StatusStoreNode>(id).store();
}

/** The next message a helper node receives. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- messages are whatever the flow sends; tests assert on their shape
export function nextMessage(node: Node): Promise<any> {
  return new Promise((resolve) => node.once('input', resolve));
}

/**
 * Node-RED treats a node without x/y as a config node (flows/util.js), which changes the order it is
 * created in and how references are resolved; give every wired node a position.
 */
export function placed<T extends FlowNode | helper.TestFlowsItem>(flow: T[]): T[] {
  return flow.map((n) => (n.type !== 'tab' && 'wires' in n && !('x' in n) ? { ...n, x: 100, y: 100 } : n));
}

/** A node's calls of one of its spied methods (the helper spies on the shared Node prototype: keep this node's own). */
export function callsOf(node: Node, method: 'status' | 'error' | 'warn' | 'log' | 'send'): SinonSpyCall[] {
  return (node[method] as unknown as SinonSpy).getCalls().filter((call) => call.thisValue === node);
}

export function statusCalls(node: Node): SinonSpyCall[] {
  return callsOf(node, 'status');
}

/** The status a node shows now. */
export function lastStatus(node: Node): NodeStatus {
  const call = statusCalls(node).at(-1);
  if (!call) throw new Error(`node ${node.id} never set a status`);
  return call.args[0] as NodeStatus;
}

/** The runtime settings for the next load (this package reads a few of its own, e.g. statusPageHeartbeat). */
export function useSettings(settings: Record<string, unknown>): void {
  helper.settings(settings);
}

/** A node of a test flow: its id, type and whatever its config says. */
export type FlowNode = { id: string; type: string; [key: string]: unknown };

/** Load a flow of this package's nodes (plus http in/response, and the capture of RED.httpNode) into the helper's runtime. */
export function loadFlow(flow: FlowNode[], credentials: Record<string, Record<string, string>> = {}): Promise<void> {
  return helper.load([captureHttpNode, httpIn, mqtt, change, ...ALL_NODES], placed(flow) as TestFlows, credentials);
}

/** A full deploy of another flow in the running runtime. */
export function redeploy(flow: FlowNode[]): Promise<void> {
  return helper.setFlows(placed(flow) as TestFlows, 'full');
}
