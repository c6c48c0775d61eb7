import type { Clock } from '../clock';
import { linkIdOf, newLink, newLinkKey } from '../people/links';
import type { Person, StoredPerson } from '../people/person';
import type { PeopleReads } from './people-reads';
import type { PeopleTx } from './people-tx';

const LINK_KEY = 'person-links';

/** The household's people as the nodes use them: reads of committed data, writes through the store's queue. */
export class PeopleStore {
  private linkKey: Promise<Buffer> | undefined;

  constructor(
    readonly read: PeopleReads,
    private readonly run: <T>(job: (tx: PeopleTx) => Promise<T>) => Promise<T>,
    private readonly clock: Clock,
    /** After a person was saved or removed. */
    private readonly changed: () => void,
  ) {}

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** Save a person (see PeopleTx.save); them as stored. */
  async save(person: Person, id?: number): Promise<StoredPerson> {
    const saved = await this.run((tx) => tx.save(person, this.now(), id));
    this.changed();
    return (await this.read.byId(saved))!;
  }

  async remove(id: number): Promise<boolean> {
    const removed = await this.run((tx) => tx.remove(id));
    if (removed) this.changed();
    return removed;
  }

  follow(personId: number, requestId: number, on: boolean): Promise<boolean> {
    return this.run((tx) => tx.follow(personId, requestId, on, this.now()));
  }

  /** A new personal link for a person: its token, to be given to them once (it is never shown again). */
  async newLink(personId: number): Promise<{ id: string; token: string }> {
    const link = newLink(await this.key());
    await this.run((tx) => tx.addLink(personId, link.id, this.now()));
    return link;
  }

  revokeLink(personId: number, linkId: string): Promise<boolean> {
    return this.run((tx) => tx.revokeLink(personId, linkId));
  }

  /** The person a personal link's token belongs to; undefined for a forged, malformed or revoked one. */
  async byToken(token: string): Promise<StoredPerson | undefined> {
    const id = linkIdOf(token, await this.key());
    return id === undefined ? undefined : this.read.byLink(id);
  }

  private key(): Promise<Buffer> {
    this.linkKey ??= this.read.key(LINK_KEY).then((key) => key ?? this.run((tx) => tx.key(LINK_KEY, newLinkKey())));
    this.linkKey.catch(() => (this.linkKey = undefined));
    return this.linkKey;
  }
}
