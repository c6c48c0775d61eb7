import { z } from 'zod';
import type { CallRecord } from '../services/http/api-client';
import { ACTIONS, EpisodeKeySchema, MAX_EPISODES, type ActionName, type EpisodeKey } from '../events';
import type { RequestRecord } from '../model';
import { formatIssues, isPlainObject } from '../services/http/schema-helpers';
import { episodeRanges } from '../tracker/timeline-text';
import type { TrackResult } from '../tracker/track';
import { ActionError, outcomeOf, titleOf, type ActionDone, type ActionJob, type ActionOutcome, type ActionServices } from './common';
import { ActionContext, type ActionOptions } from './context';
import { dismiss } from './dismiss';
import { explain } from './explain';
import { forget } from './forget';
import { keep } from './keep';
import { markAvailable } from './mark-available';
import { retry } from './retry';
import { search } from './search';
import { verify } from './verify';

export type { ActionOptions } from './context';

/**
 * A person's actions on what the tracker sees: retry a download (remove and blocklist it in the arr,
 * then search for exactly what it held), search, verify, explain, correct the tracker by hand (mark
 * available, dismiss, forget), keep media whose deletion waits. One module per action says what it
 * applies to and which calls it makes; the services are asked first, and only what they accepted is
 * recorded, in the request's timeline with who asked and why, through the one path every event takes.
 * Deletions are passed on in deletion.ts, automatic retries made in auto-retry.ts.
 */

const BY_NAME: Record<ActionName, (ctx: ActionContext, job: ActionJob) => Promise<ActionDone>> = {
  retry,
  search,
  verify,
  explain,
  'mark-available': markAvailable,
  dismiss,
  keep,
  forget,
};

export const ActionInputSchema = z.object({
  requestId: z.coerce.number().int().positive(),
  action: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(', ')}` }),
  episodes: z.array(EpisodeKeySchema).max(MAX_EPISODES).optional(),
  reason: z.string().trim().max(1000).optional(),
  confirm: z.boolean().optional(),
});
export type ActionInput = z.infer<typeof ActionInputSchema>;

/** The same action on the same request within this long is done once (a double click). */
export const REPEAT_MS = 60_000;

export class MediaActions {
  private readonly recent = new Map<string, { at: number; done: Promise<ActionOutcome> }>();
  readonly context: ActionContext;

  constructor(store: ActionContext['store'], services: ActionServices, options: ActionOptions) {
    this.context = new ActionContext(store, services, options);
  }

  /** Validate a message's payload as an action (zod's path and message when it is not one). */
  static parse(input: unknown): ActionInput {
    if (!isPlainObject(input))
      throw new ActionError(`expected object, received ${Buffer.isBuffer(input) ? 'Buffer' : Array.isArray(input) ? 'array' : typeof input}`, 400);
    const parsed = ActionInputSchema.safeParse(input);
    if (!parsed.success) throw new ActionError(formatIssues(parsed.error), 400);
    return parsed.data;
  }

  /** Perform an action for `by`; a repeat within REPEAT_MS gets the first one's outcome. */
  perform(input: ActionInput, by: string): Promise<ActionOutcome> {
    const key = `${input.requestId}:${input.action}`;
    const now = this.context.now();
    for (const [k, v] of this.recent) if (now - v.at >= REPEAT_MS) this.recent.delete(k);
    const repeat = this.recent.get(key);
    if (repeat) return repeat.done;
    const done = this.run(input, by);
    this.recent.set(key, { at: now, done });
    // A refused action may be tried again at once (nothing was done).
    done.catch(() => this.recent.delete(key));
    return done;
  }

  private async run(input: ActionInput, by: string): Promise<ActionOutcome> {
    const { store } = this.context;
    const record = await store.read.getRequest(input.requestId);
    if (!record) throw new ActionError(`no request ${input.requestId}`, 404);
    const episodes = this.episodesOf(record, input.episodes);
    const calls: CallRecord[] = [];
    const news: TrackResult[] = [];
    const { action } = input;
    const done = await BY_NAME[action](this.context, { record, episodes, confirm: input.confirm, calls, news });
    if ('forgotten' in done || action === 'forget') return { result: { ok: true, action, request: null, calls }, news };
    await this.context.record(record, { action, by, reason: input.reason, episodes, detail: done.detail, ...done.fields }, news);
    return outcomeOf(store, action, record.id, calls, news);
  }

  /** The episodes an action names, each tracked by the request; none named: the whole request. */
  private episodesOf(record: RequestRecord, named: EpisodeKey[] | undefined): EpisodeKey[] {
    if (!named?.length) return [];
    if (record.mediaType === 'movie') throw new ActionError('a movie has no episodes', 400);
    const unknown = named.filter((e) => !this.context.find(record, e));
    if (unknown.length) throw new ActionError(`${titleOf(record)} does not track ${episodeRanges(unknown)}`, 400);
    return named.map(({ season, episode }) => ({ season, episode }));
  }
}
