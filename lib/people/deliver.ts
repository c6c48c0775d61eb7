import type { FormatName, Target } from '../notify/formats';
import type { NewsKind, Notification } from '../notify/news';
import type { Moment, Person, StoredPerson } from './person';
import { weekSentence, type WeekSummary } from './weekly';

/** Where a person's news goes in this format: their address (Discord's is a webhook, the others' a recipient); none without one. */
export function personalTarget(format: FormatName, target: Target, person: Pick<Person, 'addresses'>): Target | undefined {
  if (format === 'generic') return undefined;
  const address = person.addresses[format];
  if (!address) return undefined;
  return format === 'discord' ? { ...target, server: address } : { ...target, recipient: address };
}

/** The moments that give a media-notify's ticked news kinds (what a person migrated from its table keeps getting). */
export function momentsOfTicks(kinds: Iterable<NewsKind>): Moment[] {
  const of: Record<NewsKind, Moment[]> = {
    requested: ['progress'],
    approved: ['progress'],
    downloading: ['progress'],
    available: ['available', 'caught-up'],
    episodes: ['episodes', 'first-episode', 'season'],
    failed: ['trouble'],
    attention: ['trouble'],
    waiting: ['waiting'],
    removed: ['removed'],
    health: [],
  };
  return [...new Set([...kinds].flatMap((k) => of[k]))];
}

/**
 * media-notify's old mapping table ("requester = recipient") as people: each requester a person with
 * that address in this format, unless they have one there already. The people to save.
 */
export function peopleFromTable(table: Map<string, string>, format: FormatName, moments: Moment[], known: StoredPerson[]): (Person & { id?: number })[] {
  if (format === 'generic') return [];
  const changed: (Person & { id?: number })[] = [];
  for (const [name, address] of table) {
    const person = known.find((p) => p.name.toLowerCase() === name);
    if (!person) changed.push({ name, jellyseerrUser: null, logins: [], addresses: { [format]: address }, moments, quiet: null, weekly: null });
    else if (!person.addresses[format]) {
      const { id, updatedAt: _, ...rest } = person;
      changed.push({ ...rest, id, addresses: { ...person.addresses, [format]: address } });
    }
  }
  return changed;
}

/** A person's weekly digest as a notification. */
export function weeklyNotification(person: Pick<Person, 'name'>, summary: WeekSummary, baseUrl: string, pagePath = '/media-status'): Notification {
  return {
    kind: 'digest',
    title: `Your week: ${person.name}`,
    message: weekSentence(summary) ?? 'Nothing became ready this week',
    url: `${baseUrl.replace(/\/+$/, '')}${pagePath}/me`,
    imageUrl: null,
    priority: 'low',
    tags: ['calendar'],
    requester: person.name,
    request: null,
  };
}
