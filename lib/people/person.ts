import { z } from 'zod';
import { FORMATS } from '../notify/formats';

/**
 * A person of the household: a Jellyseerr user (their display name is the requester name the tracker
 * keeps), with where and when they want to hear about their requests and the ones they follow.
 */

/** The moments a person may want to be told about. */
export const MOMENTS = [
  /** Requested, approved, downloading. */
  'progress',
  /** A movie (or a whole show) ready for the first time. */
  'available',
  /** The first episode of a show ready. */
  'first-episode',
  /** Every episode that becomes ready. */
  'episodes',
  /** A season complete. */
  'season',
  /** Every aired episode of a show ready. */
  'caught-up',
  /** Failed, or needs attention. */
  'trouble',
  /** Still waiting after too long: why, and when it will be ready. */
  'waiting',
  /** Deleted. */
  'removed',
] as const;
export type Moment = (typeof MOMENTS)[number];
export const DEFAULT_MOMENTS: Moment[] = ['available', 'first-episode', 'season', 'caught-up', 'trouble'];

/** The formats a person can have an address for (the generic shape goes nowhere by itself). */
export const ADDRESS_FORMATS = FORMATS.filter((f) => f !== 'generic');

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM');
const name = z.string().trim().min(1).max(100);

export const QuietHoursSchema = z.object({
  from: time,
  to: time,
  /** Failures and attention go through anyway (held like the rest unless the person marks them urgent). */
  urgent: z.boolean().default(false),
});
export type QuietHours = z.infer<typeof QuietHoursSchema>;

export const WeeklySchema = z.object({
  /** 0 Sunday ... 6 Saturday. */
  day: z.number().int().min(0).max(6),
  at: time,
});
export type Weekly = z.infer<typeof WeeklySchema>;

/** A person as the sidebar, settings by file (MEDIA_STATUS_PEOPLE) and the store take it. */
export const PersonSchema = z.object({
  /** Their Jellyseerr display name: their requests are those requested under it. */
  name,
  jellyseerrUser: z.number().int().positive().nullable().default(null),
  /** The user names Node-RED's authentication (or a trusted proxy) knows them by; their name always counts. */
  logins: z.array(name).max(20).default([]),
  /** Where news reaches them, per format: an ntfy topic, a Telegram chat id, a Discord webhook URL, an Apprise URL (mailto:...)... */
  addresses: z.partialRecord(z.enum(ADDRESS_FORMATS), z.string().trim().min(1).max(2000)).default({}),
  moments: z.array(z.enum(MOMENTS)).max(MOMENTS.length).default(DEFAULT_MOMENTS),
  quiet: QuietHoursSchema.nullable().default(null),
  weekly: WeeklySchema.nullable().default(null),
});
export type Person = z.infer<typeof PersonSchema>;

export const PeopleSchema = z.array(PersonSchema).max(1000);

/** A person as stored. */
export type StoredPerson = Person & { id: number; updatedAt: string };

/** Does this login (or requester) name this person? Names compare without case. */
export function isNamed(person: Pick<Person, 'name' | 'logins'>, login: string): boolean {
  const wanted = login.trim().toLowerCase();
  return [person.name, ...person.logins].some((n) => n.toLowerCase() === wanted);
}
