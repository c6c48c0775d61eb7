import { MediaActions } from '../../lib/actions/actions';
import { ActionError } from '../../lib/actions/common';
import { registry } from './registry';

/**
 * An action from the editor's sidebar or the status page, through the first media-action of the
 * store: its result, or the status and error to answer with.
 */
export async function actThroughRegistry(storeId: string, input: Record<string, unknown>, by: string): Promise<{ status: number; body: unknown }> {
  const entry = registry.actions.get(storeId);
  if (!entry) return { status: 503, body: { ok: false, error: 'no media-action node uses this store: deploy one to act on requests' } };
  try {
    const outcome = await entry.actions.perform(MediaActions.parse(input), by);
    entry.notify(outcome.news);
    return { status: 200, body: outcome.result };
  } catch (err) {
    if (err instanceof ActionError) return { status: err.statusCode, body: { ok: false, error: err.message } };
    throw err;
  }
}
