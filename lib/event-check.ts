import type { z } from 'zod';
import { BIG_EVENT, inTurns } from './big-events';
import { EpisodeRefListSchema, MAX_EPISODES, MediaEventSchema, type EpisodeRef, type MediaEvent } from './events';

/** The kinds whose `episodes` is a list of episode references (a grab, an import, an availability...). */
const LISTING = new Set<string>(
  MediaEventSchema.options.filter((o) => (o.shape as Record<string, unknown>).episodes === EpisodeRefListSchema).map((o) => o.shape.kind.value),
);

/**
 * MediaEventSchema's check of a flow's event, with a long show's episodes checked a thousand a turn
 * (see inTurns), so a 10,000-episode grab does not hold Node-RED for the whole list. The verdict and the
 * event are the schema's own: anything it refuses is checked again in one go, for its exact issues.
 */
export async function checkEvent(value: unknown): Promise<z.ZodSafeParseResult<MediaEvent>> {
  const episodes = typeof value === 'object' && value !== null ? (value as { episodes?: unknown }).episodes : undefined;
  if (!Array.isArray(episodes) || episodes.length <= BIG_EVENT || episodes.length > MAX_EPISODES) return MediaEventSchema.safeParse(value);
  const head = MediaEventSchema.safeParse({ ...(value as object), episodes: [] });
  if (!head.success || !LISTING.has(head.data.kind)) return MediaEventSchema.safeParse(value);
  let refused = false;
  const checked = await inTurns<unknown, EpisodeRef>(episodes, (slice) => {
    const part = refused ? undefined : EpisodeRefListSchema.safeParse(slice);
    if (part?.success) return part.data;
    refused = true;
    return [];
  });
  return refused ? MediaEventSchema.safeParse(value) : { success: true, data: { ...head.data, episodes: checked } as MediaEvent };
}
