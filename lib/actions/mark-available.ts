import { ActionError, titleOf, type ActionDone, type ActionJob } from './common';
import type { ActionContext } from './context';

/** Mark available: a person says it plays (the tracker missed the evidence); not for what already is. */
export function markAvailable(ctx: ActionContext, { record, episodes }: ActionJob): Promise<ActionDone> {
  if (record.state === 'AVAILABLE' || (episodes.length && episodes.every((e) => ctx.find(record, e)?.state === 'AVAILABLE')))
    throw new ActionError(`${titleOf(record)} is already available`, 400);
  return Promise.resolve({ detail: '' });
}
