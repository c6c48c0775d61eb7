import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { ROOT } from './fixtures';

/** A node type as the package's editor files define it (`RED.nodes.registerType`). */
export interface EditorType {
  category?: string;
  defaults: Record<string, { value: unknown; required?: boolean; type?: string; validate?: unknown }>;
  credentials?: Record<string, { type: string }>;
}

/**
 * The node types the package's editor files register, as built into dist/nodes from their templates,
 * read by running their scripts against a stand-in of the editor's `RED` (the definitions only:
 * nothing of the dialogs runs).
 */
export function editorTypes(): Map<string, EditorType> {
  const types = new Map<string, EditorType>();
  const validator = () => () => true;
  const RED = {
    nodes: { registerType: (type: string, def: EditorType) => types.set(type, def) },
    plugins: { registerPlugin: () => undefined },
    validators: { regex: validator, number: validator, typedInput: validator },
    _: (key: string) => key,
    events: { on: () => undefined },
  };
  const dir = join(ROOT, 'dist', 'nodes');
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, `${name}.html`);
    let html: string;
    try {
      html = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const [, script] of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) {
      runInNewContext(script!, { RED, $: () => ({ on: () => undefined }), window: {}, document: {} }, { filename: file });
    }
  }
  return types;
}
