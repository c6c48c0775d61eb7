import { ActionError, type ActionDone, type ActionJob } from './common';
import type { ActionContext } from './context';

/** Forget: the request leaves the tracker, with its episodes and timeline (the services keep theirs). Confirmed only. */
export async function forget(ctx: ActionContext, { record, confirm }: ActionJob): Promise<ActionDone> {
  if (confirm !== true) throw new ActionError('forget removes the request from the tracker: send confirm: true', 400);
  await ctx.store.forget(record.id);
  return { forgotten: true };
}
