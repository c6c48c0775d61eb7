import { authenticatedUser, crossSite, isJson, proxyUser } from '../../lib/acting-access';
import { isNamed, PersonSchema, type StoredPerson } from '../../lib/people/person';
import { personalView } from '../../lib/people/view';
import { RateLimit } from '../../lib/rate-limit';
import type { StatusStore } from '../../lib/store/store';
import type { Req, Res } from './http-types';

/**
 * A person's own page under the status page's path (README, "People"):
 * - `/me`, `/me/data`: for the user Node-RED's authentication (or a trusted proxy) let through;
 * - `/me/<token>`, `/me/<token>/data`: through a personal link, for anyone who holds it;
 * - `POST` / `DELETE` `<either>/follows/<request id>`: follow a request, or stop.
 * A link's token is the credential: its answers are never cached, and never sent as a referrer (a
 * poster's server would learn it).
 */

export interface PersonalOptions {
  store(): Promise<StatusStore>;
  /** Node-RED's HTTP nodes are behind httpNodeAuth or httpNodeMiddleware. */
  nodeAuth: boolean;
  /** Take a reverse proxy's Remote-User header as the signed-in user. */
  trustProxy: boolean;
  /** Where watch-now links open (undefined: no links). */
  jellyfinUrl(): string | undefined;
  /** The page itself, in personal mode for this API prefix. */
  page(req: Req, res: Res, me: string): void;
  now(): number;
}

const ROUTE = /^\/me(?:\/(?!data$|follows\/)([^/]+))?(\/data|\/follows\/(\d{1,12}))?$/;
/** Follows from pages, at most, a minute (whoever asks). */
const FOLLOWS_PER_MINUTE = 30;
const PRIVATE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex' };

/** The user this request is signed in as (Node-RED's authentication, else a trusted proxy's header). */
export function signedIn(req: Req, nodeAuth: boolean, trustProxy: boolean): string | undefined {
  return authenticatedUser(req, nodeAuth) ?? (trustProxy ? proxyUser(req) : undefined);
}

export function personalRoutes(options: PersonalOptions): (path: string, req: Req, res: Res) => boolean {
  const follows = new RateLimit(FOLLOWS_PER_MINUTE, 60_000, options.now);

  /** Who this is, or the answer that says why nobody. */
  const whom = async (store: StatusStore, token: string | undefined, req: Req): Promise<StoredPerson | { status: number; error: string }> => {
    if (token !== undefined) return (await store.people.byToken(token)) ?? { status: 404, error: 'no such link' };
    const login = signedIn(req, options.nodeAuth, options.trustProxy);
    if (!login) return { status: 401, error: 'sign in, or open your personal link' };
    const known = (await store.people.read.list()).find((p) => isNamed(p, login));
    if (known) return known;
    // A requester who signs in under their Jellyseerr name is that person from now on.
    const requester = (await store.read.requesters()).find((name) => isNamed({ name, logins: [] }, login));
    if (requester) return store.people.save(PersonSchema.parse({ name: requester }));
    return { status: 404, error: `nobody in the household is known as ${login}` };
  };

  const data = async (store: StatusStore, person: StoredPerson, res: Res) => {
    const { own, followed } = await store.people.read.requestsOf(person);
    // Newest first, as requestsById reads them.
    const records = await store.read.requestsById([...new Set([...own, ...followed])]);
    const mine = new Set(records.map((r) => r.id));
    const others = (await store.read.listRequests({ limit: 100 })).filter((r) => !mine.has(r.id) && !r.removedAt);
    res.json(personalView(person, records, await store.outlook.snapshots(records), new Set(followed), others, options.jellyfinUrl()));
  };

  const follow = async (store: StatusStore, person: StoredPerson, requestId: number, on: boolean, req: Req, res: Res) => {
    if (crossSite(req) || !isJson(req)) return res.status(403).json({ ok: false, error: 'only the status page itself may follow (JSON, same site)' });
    if (!follows.take())
      return res
        .status(429)
        .set({ 'retry-after': String(follows.retryAfterSeconds()) })
        .json({ ok: false, error: `too many follows: at most ${follows.max} a minute` });
    if (!(await store.people.follow(person.id, requestId, on))) return res.status(404).json({ ok: false, error: 'no such request' });
    res.json({ ok: true, following: on });
  };

  return (path, req, res) => {
    const match = ROUTE.exec(path);
    if (!match) return false;
    const [, token, rest, requestId] = match;
    const method = req.method;
    if (requestId === undefined ? method !== 'GET' : method !== 'POST' && method !== 'DELETE') return false;
    void (async () => {
      res.set(PRIVATE);
      const store = await options.store();
      const person = await whom(store, token, req);
      if ('status' in person) return res.status(person.status).json({ ok: false, error: person.error });
      if (requestId !== undefined) return follow(store, person, Number(requestId), method === 'POST', req, res);
      if (rest === '/data') return data(store, person, res);
      options.page(req, res, token === undefined ? '/me' : `/me/${token}`);
    })().catch((err: Error) => res.status(500).json({ ok: false, error: err.message }));
    return true;
  };
}
