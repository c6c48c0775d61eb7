import type { QuietHours, Weekly } from './person';

/** Times of day in a person's household time zone (the status-store's, else the server's). */

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The wall clock at `now` in `timeZone`: weekday (0 Sunday), minute of the day, and the ms into that minute. */
function wallClock(now: number, timeZone?: string): { weekday: number; minute: number; intoMinute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return {
    weekday: WEEKDAYS.indexOf(part('weekday')),
    minute: Number(part('hour')) * 60 + Number(part('minute')),
    intoMinute: now % MINUTE,
  };
}

/** When the quiet hours `now` falls in end (epoch ms), or undefined outside them. "22:00"-"07:00" spans midnight. */
export function quietUntil(now: number, quiet: QuietHours | null, timeZone?: string): number | undefined {
  if (!quiet) return undefined;
  const from = minutes(quiet.from);
  const to = minutes(quiet.to);
  if (from === to) return undefined;
  const { minute, intoMinute } = wallClock(now, timeZone);
  const inside = from < to ? minute >= from && minute < to : minute >= from || minute < to;
  if (!inside) return undefined;
  return now - intoMinute + ((to - minute + DAY_MINUTES) % DAY_MINUTES) * MINUTE;
}

/** The next weekly digest after `now` (epoch ms). */
export function nextWeekly(now: number, weekly: Weekly, timeZone?: string): number {
  const { weekday, minute, intoMinute } = wallClock(now, timeZone);
  let days = (weekly.day - weekday + 7) % 7;
  const at = minutes(weekly.at);
  if (days === 0 && minute >= at) days = 7;
  return now - intoMinute + (days * DAY_MINUTES + at - minute) * MINUTE;
}
