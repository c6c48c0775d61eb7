import { systemClock, type Clock } from '../clock';
import { nextWeekly } from './hours';
import type { StoredPerson } from './person';

/** What became ready for a person in a week: among their own requests and the ones they follow. */
export interface WeekSummary {
  movies: number;
  episodes: number;
  /** Shows with episodes ready, and movies, by title (the first few). */
  titles: string[];
}

const WEEK = 7 * 24 * 60 * 60 * 1000;

/** "This week: 3 movies, 12 episodes ready (Dune, Lycoris Recoil...)"; undefined for a week with nothing. */
export function weekSentence(summary: WeekSummary): string | undefined {
  const parts = [
    summary.movies ? `${summary.movies} movie${summary.movies === 1 ? '' : 's'}` : '',
    summary.episodes ? `${summary.episodes} episode${summary.episodes === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  if (!parts.length) return undefined;
  const titles = summary.titles.length ? ` (${summary.titles.slice(0, 5).join(', ')}${summary.titles.length > 5 ? '…' : ''})` : '';
  return `This week: ${parts.join(', ')} ready${titles}`;
}

/**
 * Each person's weekly digest, at their day and time: what became ready for them in the seven days
 * before (read from the store when it is due, so a restart loses nothing but a digest due while down).
 */
export class WeeklyDigests {
  private readonly timers = new Map<number, () => void>();

  constructor(
    private readonly summarise: (person: StoredPerson, since: string) => Promise<WeekSummary>,
    private readonly deliver: (person: StoredPerson, summary: WeekSummary) => void,
    private readonly onError: (err: Error) => void,
    private readonly clock: Clock = systemClock,
    private readonly timeZone?: string,
  ) {}

  /** Plan the digests of these people (replacing any plan): those with a weekly slot. */
  plan(people: StoredPerson[]): void {
    this.stop();
    for (const person of people) if (person.weekly) this.schedule(person);
  }

  private schedule(person: StoredPerson): void {
    const weekly = person.weekly!;
    const due = nextWeekly(this.clock.now(), weekly, this.timeZone);
    this.timers.set(
      person.id,
      this.clock.after(due - this.clock.now(), () => {
        this.schedule(person);
        this.summarise(person, new Date(due - WEEK).toISOString())
          .then((summary) => {
            if (summary.movies || summary.episodes) this.deliver(person, summary);
          })
          .catch((err: Error) => this.onError(err));
      }),
    );
  }

  stop(): void {
    this.timers.forEach((cancel) => cancel());
    this.timers.clear();
  }
}
