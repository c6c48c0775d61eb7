import { systemClock, type Clock } from '../clock';
import type { News } from '../notify/news';
import { quietUntil } from './hours';
import { isUrgent, wantedBy } from './moments';
import type { StoredPerson } from './person';

/**
 * Each person's share of a request's news: the moments they asked for, at a time they accept. News in
 * a person's quiet hours is held until they end (failures and attention too, unless the person lets
 * them through), then sent one notification per request. Each person gets each piece once, however
 * they are concerned (requester and follower).
 */
export class PersonalRouter {
  private readonly held = new Map<number, { person: StoredPerson; news: News[]; cancel: () => void }>();

  constructor(
    /** One notification: a person and the news of one request. */
    private readonly deliver: (person: StoredPerson, news: News[]) => void,
    private readonly onError: (err: Error) => void,
    private readonly clock: Clock = systemClock,
    private readonly timeZone?: string,
  ) {}

  /** The news of one request, for the people it concerns; `hold` false: now, quiet hours or not (a close). */
  route(people: StoredPerson[], news: News[], hold = true): void {
    const seen = new Set<number>();
    for (const person of people) {
      if (seen.has(person.id)) continue;
      seen.add(person.id);
      const wanted = wantedBy(person, news);
      if (!wanted.length) continue;
      const until = hold ? quietUntil(this.clock.now(), person.quiet, this.timeZone) : undefined;
      const now = until === undefined ? wanted : person.quiet?.urgent ? wanted.filter(isUrgent) : [];
      if (now.length) this.deliver(person, now);
      const later = wanted.filter((n) => !now.includes(n));
      if (later.length && until !== undefined) this.hold(person, later, until);
    }
  }

  private hold(person: StoredPerson, news: News[], until: number): void {
    const open = this.held.get(person.id);
    if (open) return void open.news.push(...news);
    const cancel = this.clock.after(Math.max(0, until - this.clock.now()), () => this.release(person.id));
    this.held.set(person.id, { person, news, cancel });
  }

  /** What waits for someone's quiet hours to end: how many people's news. */
  waiting(): number {
    return this.held.size;
  }

  private release(personId: number): void {
    const open = this.held.get(personId);
    if (!open) return;
    this.held.delete(personId);
    open.cancel();
    const byRequest = new Map<number, News[]>();
    for (const n of open.news) byRequest.set(n.request.id, [...(byRequest.get(n.request.id) ?? []), n]);
    for (const news of byRequest.values()) {
      try {
        this.deliver(open.person, news);
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }

  /** Send what waits now (a close: held news goes rather than never). */
  flush(): void {
    for (const id of [...this.held.keys()]) this.release(id);
  }
}
