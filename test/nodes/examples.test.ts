import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { editorTypes } from '../support/editor-types';
import { ROOT } from '../support/fixtures';

/**
 * The example flows as files: every node of this package in them carries every property its editor
 * definition has (a missing one fails the editor's validation, a red triangle on import), and no
 * secret is written into them.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FlowNode = Record<string, any>;

const examples = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, nodes: JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as FlowNode[] }));

describe('the example files', () => {
  const types = editorTypes();

  it('the editor definitions are read: every node type the package declares', () => {
    const declared = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: object } })['node-red'].nodes);
    assert.deepEqual([...types.keys()].sort(), declared.sort());
  });

  it('every node type has its help in the editor', () => {
    const helpless = [...types.keys()].filter((type) => !readFileSync(join(ROOT, 'nodes', type, `${type}.html`), 'utf8').includes(`data-help-name="${type}"`));
    assert.deepEqual(helpless, []);
  });

  for (const { file, nodes } of examples) {
    it(`${file}: each node of the package carries every property its type defines, and no credential`, () => {
      const ours = nodes.filter((n) => types.has(n.type));
      assert.ok(ours.length > 0, `${file} uses none of the package's nodes`);
      for (const n of ours) {
        const type = types.get(n.type)!;
        const missing = Object.keys(type.defaults).filter((p) => !(p in n));
        assert.deepEqual(missing, [], `${n.type} ${n.id} lacks ${missing.join(', ')}`);
        const secrets = Object.keys(type.credentials ?? {}).filter((p) => p in n || (n.credentials && p in n.credentials));
        assert.deepEqual(secrets, [], `${n.type} ${n.id} carries a credential in the file`);
      }
    });
  }

  it('the tracker flow is laid out in groups, one per stage, every node in one', async () => {
    const flow = examples.find((e) => e.file === 'media-status-tracker.json')!.nodes;
    const groups = flow.filter((n) => n.type === 'group');
    assert.ok(groups.length >= 6, `${groups.length} groups`);
    const loose = flow.filter((n) => n.z && n.type !== 'group' && !n.g);
    assert.deepEqual(
      loose.map((n) => `${n.type} ${n.name ?? ''}`),
      [],
      'nodes outside every group',
    );
  });
});
