import type { Request, RequestHandler, Response } from 'express';
import { ADDRESS_FORMATS, MOMENTS, PersonSchema } from '../../lib/people/person';
import { formatIssues } from '../../lib/services/http/schema-helpers';
import type { StatusStore } from '../../lib/store/store';
import type { RED } from '../shared/red';
import type { StatusStoreNode } from '../shared/types';

/**
 * The sidebar's people (README, "People"): read with media-status.read; saved, removed, and their
 * personal links made and revoked with media-status.write. A link's token is in the answer that made
 * it, once; it is never listed again, nor logged.
 */
export function peopleRoutes(
  RED: RED,
  guards: { read: RequestHandler; authenticated: RequestHandler; write: RequestHandler },
  storeFor: (req: Request) => StatusStoreNode | undefined,
): void {
  const { read, authenticated, write } = guards;
  const fail = (res: Response) => (err: Error) => res.status(500).json({ ok: false, error: err.message });
  /** Runs `job` with the store the request names, or answers 404. */
  const withStore =
    (job: (entry: StatusStoreNode, req: Request, res: Response) => Promise<unknown>): RequestHandler =>
    (req, res) => {
      const entry = storeFor(req);
      if (!entry) return void res.status(404).json({ ok: false, error: 'no status store is running' });
      job(entry, req, res).catch(fail(res));
    };
  const personId = (req: Request) => (/^\d{1,12}$/.test(String(req.params.id)) ? Number(req.params.id) : undefined);

  RED.httpAdmin.get(
    '/media-status/sidebar/people',
    read,
    withStore(async (entry, _req, res) => {
      const store = await entry.store();
      const people = await store.people.read.list();
      const withLinks = await Promise.all(people.map(async (p) => ({ ...p, links: await store.people.read.links(p.id) })));
      const named = new Set(people.map((p) => p.name.toLowerCase()));
      // Requesters who are nobody yet: offered to add.
      const requesters = (await store.read.requesters()).filter((name) => !named.has(name.toLowerCase()));
      res.json({ people: withLinks, requesters, moments: MOMENTS, formats: ADDRESS_FORMATS });
    }),
  );

  const save = withStore(async (entry, req, res) => {
    const parsed = PersonSchema.safeParse(req.body);
    if (!parsed.success) return res.status(400).json({ ok: false, error: formatIssues(parsed.error, 5) });
    const id = req.params.id === undefined ? undefined : personId(req);
    if (req.params.id !== undefined && id === undefined) return res.status(404).json({ ok: false, error: 'no such person' });
    const store = await entry.store();
    if (id !== undefined && !(await store.people.read.byId(id))) return res.status(404).json({ ok: false, error: 'no such person' });
    return res.json({ ok: true, person: await store.people.save(parsed.data, id) });
  });
  RED.httpAdmin.post('/media-status/sidebar/people', authenticated, write, save);
  RED.httpAdmin.put('/media-status/sidebar/people/:id', authenticated, write, save);

  /** A removal of something of a person's: 200 when it was there, else 404 naming what. */
  const removal = (what: string, remove: (store: StatusStore, id: number, req: Request) => Promise<boolean>) =>
    withStore(async (entry, req, res) => {
      const id = personId(req);
      const removed = id !== undefined && (await remove(await entry.store(), id, req));
      res.status(removed ? 200 : 404).json(removed ? { ok: true } : { ok: false, error: `no such ${what}` });
    });
  RED.httpAdmin.delete(
    '/media-status/sidebar/people/:id',
    authenticated,
    write,
    removal('person', (store, id) => store.people.remove(id)),
  );

  RED.httpAdmin.post(
    '/media-status/sidebar/people/:id/links',
    authenticated,
    write,
    withStore(async (entry, req, res) => {
      const id = personId(req);
      const store = await entry.store();
      if (id === undefined || !(await store.people.read.byId(id))) return res.status(404).json({ ok: false, error: 'no such person' });
      const { token } = await store.people.newLink(id);
      const page = entry.pages()[0];
      return res.json({ ok: true, token, path: page ? `${page}/me/${token}` : undefined });
    }),
  );

  RED.httpAdmin.delete(
    '/media-status/sidebar/people/:id/links/:link',
    authenticated,
    write,
    removal('link', (store, id, req) => store.people.revokeLink(id, String(req.params.link))),
  );
}
