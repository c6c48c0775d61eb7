import type { Clock } from '../clock';
import { Digest } from '../notify/digest';
import type { FormatName, Target } from '../notify/formats';
import { notificationOf, type News, type Notification } from '../notify/news';
import type { PeopleReads } from '../store/people-reads';
import { personalTarget, weeklyNotification } from './deliver';
import type { StoredPerson } from './person';
import { PersonalRouter } from './router';
import { WeeklyDigests } from './weekly';

export interface PeopleNotifierOptions {
  people(): Promise<PeopleReads>;
  format: FormatName;
  /** The node's own server and token (a person's address completes it). */
  target: Target;
  baseUrl: string;
  /** News of one request within this window becomes one notification (see Digest). */
  windowMs: number;
  clock: Clock;
  timeZone?: string;
  send(notification: Notification, target: Target): void;
  onError(err: Error): void;
}

/**
 * media-notify's people: each state change's news goes to the people it concerns (the requester and
 * the followers) through their own address in this node's format, as their moments, quiet hours and
 * weekly digest say.
 */
export class PeopleNotifier {
  private readonly digest: Digest;
  private readonly router: PersonalRouter;
  private readonly weekly: WeeklyDigests;
  private closed = false;

  constructor(private readonly options: PeopleNotifierOptions) {
    const { clock, timeZone, onError } = options;
    this.router = new PersonalRouter((person, news) => this.deliver(person, notificationOf(news, options.baseUrl)), onError, clock, timeZone);
    this.digest = new Digest(options.windowMs, (news) => void this.route(news).catch(onError), onError, clock);
    this.weekly = new WeeklyDigests(
      async (person, since) => (await options.people()).week(person, since),
      (person, summary) => this.deliver(person, weeklyNotification(person, summary, options.baseUrl)),
      onError,
      clock,
      timeZone,
    );
  }

  /** The people of a request this node can reach. */
  private async addressees(requestId: number): Promise<StoredPerson[]> {
    const audience = await (await this.options.people()).audience(requestId);
    return audience.filter((p) => personalTarget(this.options.format, this.options.target, p));
  }

  private async route(news: News[]): Promise<void> {
    this.router.route(await this.addressees(news[0]!.request.id), news, !this.closed);
  }

  private deliver(person: StoredPerson, notification: Notification): void {
    const target = personalTarget(this.options.format, this.options.target, person);
    if (target) this.options.send(notification, target);
  }

  /** The news of one state change (every kind: each person's moments choose). */
  add(news: News[]): void {
    if (news.length) this.digest.add(news);
  }

  /** Does anyone this request concerns have an address here? (If not, its requester's news goes to the household.) */
  async reaches(requestId: number): Promise<boolean> {
    return (await this.addressees(requestId)).length > 0;
  }

  /** Plan the weekly digests (at start, and whenever a person changes). */
  async plan(): Promise<void> {
    this.weekly.plan(await (await this.options.people()).list());
  }

  /** Send what a digest window holds now (quiet hours still hold theirs). */
  flush(): void {
    this.digest.flush();
  }

  /** Send what waits now, and stop the weekly digests (a close). */
  close(): void {
    this.closed = true;
    this.digest.flush();
    this.router.flush();
    this.weekly.stop();
  }
}
