import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import { stateChangesOf } from '../../lib/tracker/messages';
import { MediaSync, type SyncReport, type SyncSource } from '../../lib/sync';
import { requiredStore, type Done, type Send } from '../shared/config-node';
import { numberFrom } from '../shared/config-values';
import { closeWith, Interval } from '../shared/interval';
import type { RED } from '../shared/red';
import { guardActingNode } from '../shared/route-gate';
import { startFlowNode } from '../shared/status';
import { useStore } from '../shared/store-user';
import { ARR_REFS, type ServerRefs, type SyncServerNode } from '../shared/types';

interface MediaSyncConfig extends NodeDef, ServerRefs {
  store: string;
  minutes: string;
  historyDays: string;
  firstAfterSeconds?: string;
}

const SERVER_FIELDS = ['jellyseerr', ...ARR_REFS] as const;

/** The failing sources by name, and the first one's own words: "radarr failed: Radarr /api/v3/queue: unauthorised…". */
function failures(report: SyncReport): string | undefined {
  const failed = Object.entries(report.sources).filter(([, s]) => !s.ok);
  if (!failed.length) return undefined;
  return `${failed.map(([name]) => name).join(', ')} failed: ${failed[0]?.[1].error ?? ''}`;
}

export = (RED: RED) => {
  function MediaSyncNode(this: Node, config: MediaSyncConfig) {
    const { light, clock } = startFlowNode(RED, this, config);
    guardActingNode(RED, this, config.store);
    const storeNode = requiredStore(RED, this, 'media-sync', config.store);
    if (!storeNode) return;
    const servers = SERVER_FIELDS.map((field) => (config[field] ? (RED.nodes.getNode(config[field]) as SyncServerNode | null) : null)).filter(
      (s): s is SyncServerNode => !!s,
    );
    for (const server of servers) if (server.problem) this.error(server.problem);
    const sources = servers.flatMap((s): SyncSource[] => (s.source ? [s.source] : []));
    const options = storeNode.trackOptions;
    const sync = new MediaSync(sources, { historyDays: numberFrom(config.historyDays, 90), track: options });
    const stopUsingStore = useStore(storeNode, light);
    const idle = servers.filter((s) => !s.source).map((s) => s.instanceName);
    if (!sources.length) light.show('off', 'media-sync.status.notConfigured');

    /** One line in the log per problem of a source (its service, URL and what to check), not one per sync. */
    const logged = new Map<string, string>();
    const logProblems = (report: SyncReport) => {
      for (const source of sources) {
        const outcome = report.sources[source.name];
        const problem = !outcome ? undefined : !outcome.ok ? `error:${outcome.error}` : outcome.skippedReason ? `skip:${outcome.skippedReason}` : undefined;
        if (problem === logged.get(source.name)) continue;
        if (problem === undefined) logged.delete(source.name);
        else logged.set(source.name, problem);
        if (outcome && !outcome.ok) this.error(RED._('media-sync.errors.source', { name: source.name, url: source.where, error: outcome.error ?? '' }));
        else if (outcome?.skippedReason)
          this.warn(RED._('media-sync.warnings.skipped', { name: source.name, url: source.where, count: outcome.skipped, reason: outcome.skippedReason }));
      }
    };

    const runSync = async (): Promise<SyncReport | undefined> => {
      if (!sources.length) return undefined;
      const store = await storeNode.store();
      const { report, news } = await sync.sync(store);
      logProblems(report);
      for (const change of await stateChangesOf(news, store.outlook)) this.send([change, null]);
      const failed = failures(report);
      const time = report.at.slice(11, 16);
      if (failed) light.showText('problem', failed);
      else
        light.show('ok', 'media-sync.status.synced', {
          time,
          count: Object.keys(report.sources).length,
          idle: idle.length ? ` (${idle.join(', ')} idle)` : '',
        });
      return report;
    };
    const minutes = numberFrom(config.minutes, 10);
    const timer = new Interval(clock, minutes * 60_000, runSync, (err) => this.error(err.message), numberFrom(config.firstAfterSeconds, 5) * 1000);

    this.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      runSync()
        .then((report) => {
          msg.payload = report ? { ok: report.ok, sources: report.sources } : { ok: false, sources: {}, error: RED._('media-sync.errors.noSource') };
          send([null, msg]);
          done();
        })
        .catch((err: Error) => done(err));
    });
    // The sync under way stops at its next call: after a redeploy only the new node syncs.
    closeWith(
      this,
      stopUsingStore,
      () => sync.stop(),
      () => timer.stop(),
    );
  }
  RED.nodes.registerType('media-sync', MediaSyncNode);
};
