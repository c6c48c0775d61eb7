import { ActionError, titleOf, type ActionDone, type ActionJob } from './common';
import type { ActionContext } from './context';
import { removalKey } from './keys';

/** Keep: a person keeps media whose deletion waits for its grace period; the deletion is not done. */
export function keep(_ctx: ActionContext, { record }: ActionJob): Promise<ActionDone> {
  const { deletion } = record;
  if (!deletion) throw new ActionError(`nothing of ${titleOf(record)} waits to be deleted: nothing to keep`, 400);
  return Promise.resolve({
    detail: `${deletion.dryRun ? 'the dry run ' : ''}would have done: ${deletion.plan.join('; ')}`,
    fields: { key: removalKey(deletion.removedAt) },
  });
}
