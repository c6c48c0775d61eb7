import { ActionError, titleOf, type ActionDone, type ActionJob } from './common';
import type { ActionContext } from './context';

/** Dismiss: a person has seen what needed attention (and the automatic retry leaves the request alone). */
export function dismiss(_ctx: ActionContext, { record }: ActionJob): Promise<ActionDone> {
  if (!record.attention) throw new ActionError(`${titleOf(record)} needs no attention: nothing to dismiss`, 400);
  return Promise.resolve({ detail: record.attention.reason });
}
