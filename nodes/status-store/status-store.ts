import type { NodeDef } from 'node-red';
import { API_TOKEN_ENV } from '../../lib/acting-access';
import { peopleFromSetting, PEOPLE_ENV } from '../../lib/people/from-file';
import { StoreKeeper, type KeeperState } from '../../lib/store/keeper';
import { resolveDatabasePath } from '../../lib/store/location';
import { checkStuck, DEFAULT_STUCK_MINUTES, parseStuckMinutes } from '../../lib/tracker/stuck';
import { recordPredictions } from '../../lib/tracker/outlook';
import type { TrackResult } from '../../lib/tracker/track';
import { periodMs, numberFrom, secretFrom, trackOptionsFrom } from '../shared/config-values';
import { Interval } from '../shared/interval';
import { clockOf, type RED } from '../shared/red';
import { editorRefresh } from '../shared/editor-refresh';
import { behindNodeAuth } from '../shared/route-gate';
import type { Answer, StatusStoreNode, StoreUse } from '../shared/types';

interface StatusStoreConfig extends NodeDef {
  path: string;
  /** How often to look for stuck requests (s); 0: never. */
  stuckCheckSeconds: string;
  /** Per-stage thresholds over the defaults, e.g. "APPROVED=120". */
  stuckMinutes: string;
  /** Forget finished requests after this many days; empty: keep them. */
  retentionDays: string;
  /** The tracker's rules for this store's requests (see TrackOptions). */
  createFromArr?: boolean;
  availableOnImport?: boolean;
  availableOnShokoMatch?: boolean;
  /** Name of an environment variable holding the API token (used when no credential is set). */
  apiTokenEnv?: string;
}

type Credentials = { apiToken: unknown };

/** How often old finished requests are forgotten (when a retention is set). */
const RETENTION_EVERY_MS = 3600_000;

export = (RED: RED) => {
  function StatusStoreConfigNode(this: StatusStoreNode & { credentials: Credentials }, config: StatusStoreConfig) {
    RED.nodes.createNode(this, config);
    const clock = clockOf(RED);
    const file = resolveDatabasePath(config.path, RED.settings.userDir);
    const keeper = new StoreKeeper(file, { clock });
    let reported = '';
    keeper.on('state', (state: KeeperState) => {
      if (state.status === 'open') {
        this.log(RED._('status-store.log.opened', { file }));
        reported = '';
      } else if (state.status === 'failed' && state.reason !== reported) {
        // One line per problem, not one per retry.
        reported = state.reason;
        this.error(RED._('status-store.errors.open', { file, message: state.reason }));
      }
    });
    // Open editors refresh their sidebar when a request changes.
    keeper.on('open', (store) => store.on('committed', editorRefresh(RED)));
    // The people configured by file, over the stored ones of the same names, each time the store opens.
    const configured = peopleFromSetting(process.env[PEOPLE_ENV]);
    if (!configured.ok) this.error(configured.error);
    else if (configured.people.length)
      keeper.on('open', (store) => {
        void (async () => {
          for (const person of configured.people) await store.people.save(person);
        })().catch((err: Error) => this.error(err.message));
      });
    const users = new Map<string, { name: string; offer: StoreUse }>();
    this.use = (node, offer) => {
      users.set(node.id, { name: node.name || node.id, offer });
      return () => users.delete(node.id);
    };
    this.pages = () => [...users.values()].flatMap((u) => (u.offer.page ? [u.offer.page] : []));
    this.act = async (input, by): Promise<Answer> => {
      const actors = [...users.values()].flatMap(({ name, offer }) => (offer.act ? [{ name, act: offer.act }] : []));
      const [only] = actors;
      if (!only) return { status: 503, body: { ok: false, error: 'no media-action node uses this store: deploy one to act on requests' } };
      if (actors.length > 1) {
        const names = actors.map((a) => a.name).join(', ');
        return { status: 409, body: { ok: false, error: `${actors.length} media-action nodes use this store (${names}): buttons act only when one does` } };
      }
      return only.act(input, by);
    };
    // Who may make the nodes that use this store act over HTTP (see lib/acting-access.ts).
    const actingPolicy = { token: secretFrom(RED, this, this.credentials?.apiToken, config.apiTokenEnv ?? API_TOKEN_ENV), nodeAuth: behindNodeAuth(RED) };
    Object.assign(this, { keeper, trackOptions: trackOptionsFrom(config), actingPolicy, label: config.name || file });
    this.store = () => keeper.store();

    const stuck = parseStuckMinutes(config.stuckMinutes);
    if (!stuck.ok) this.error(stuck.error);
    const thresholds = stuck.ok ? stuck.thresholds : DEFAULT_STUCK_MINUTES;
    this.checkStuck = async (now) => checkStuck(await keeper.store(), now, thresholds, this.trackOptions);
    const outputs: ((results: TrackResult[]) => void)[] = [];
    this.offerStuckOutput = (send) => {
      outputs.push(send);
      return () => outputs.splice(outputs.indexOf(send), 1);
    };
    const timer = new Interval(
      clock,
      periodMs(config.stuckCheckSeconds, 60),
      async () => {
        if (keeper.state.status !== 'open') return;
        const results = await this.checkStuck(new Date(clock.now()));
        if (results.some((r) => r.notify)) outputs[0]?.(results);
        await recordPredictions(await keeper.store());
      },
      (err) => this.error(err.message),
    );

    const retentionDays = numberFrom(config.retentionDays, 0);
    const retention = new Interval(
      clock,
      retentionDays ? RETENTION_EVERY_MS : 0,
      async () => {
        if (keeper.state.status !== 'open') return;
        const forgotten = await (await keeper.store()).forgetFinished(new Date(clock.now() - retentionDays * 86400_000));
        if (forgotten.length) this.log(RED._('status-store.log.forgotten', { count: forgotten.length, days: retentionDays }));
      },
      (err) => this.error(err.message),
      // The first once the store is open.
      1000,
    );

    this.on('close', (_removed: boolean, done: () => void) => {
      Promise.all([timer.stop(), retention.stop()])
        .then(() => keeper.close())
        .catch((err: Error) => this.warn(RED._('status-store.errors.close', { message: err.message })))
        .finally(done);
    });
  }
  RED.nodes.registerType('status-store', StatusStoreConfigNode, { credentials: { apiToken: { type: 'password' } } });
};
