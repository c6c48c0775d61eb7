import { join } from 'node:path';
import { placed, type FlowNode } from './helper';

/** The flows node tests load: http in -> arr-webhook-parse -> episode-state -> http response, with a fresh store file each. */
export function trackerFlows(dir: string) {
  let count = 0;
  const storeConfig = (path = join(dir, `db${++count}.db`), extra: Record<string, unknown> = {}): FlowNode => ({
    id: 'store',
    type: 'status-store',
    name: 'test store',
    path,
    ...extra,
  });

  /** The tracker's webhook path, plus helpers on every output. */
  const trackerFlow = (parse: Record<string, unknown> = {}, state: Record<string, unknown> = {}, store: FlowNode = storeConfig()): FlowNode[] =>
    placed([
      { id: 'tab', type: 'tab' },
      store,
      { id: 'in', z: 'tab', type: 'http in', url: '/hook', method: 'post', skipBodyParsing: false, wires: [['parse']] },
      {
        id: 'parse',
        z: 'tab',
        type: 'arr-webhook-parse',
        source: 'auto',
        secretEnv: '',
        ...parse,
        wires: [
          ['state', 'events'],
          ['res', 'rejected'],
        ],
      },
      {
        id: 'state',
        z: 'tab',
        type: 'episode-state',
        store: 'store',
        ...state,
        wires: [['res', 'committed'], ['changes'], ['untracked']],
      },
      { id: 'res', z: 'tab', type: 'http response', wires: [] },
      { id: 'events', z: 'tab', type: 'helper', wires: [] },
      { id: 'rejected', z: 'tab', type: 'helper', wires: [] },
      { id: 'committed', z: 'tab', type: 'helper', wires: [] },
      { id: 'changes', z: 'tab', type: 'helper', wires: [] },
      { id: 'untracked', z: 'tab', type: 'helper', wires: [] },
      { id: 'catch', z: 'tab', type: 'catch', scope: ['state'], uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper', wires: [] },
    ]);
  return { storeConfig, trackerFlow };
}
