import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { editorTypes } from '../support/editor-types';
import { ROOT } from '../support/fixtures';

/**
 * The editor files are templates (scripts/editor-html.js): what the build writes into dist/nodes is
 * the HTML Node-RED loads. Every element of the template language is expanded, and every property a
 * node type defines has its input in the type's dialog, with a label in the type's catalog.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { expand } = require(join(ROOT, 'scripts', 'editor-html.js')) as { expand: (html: string) => string };

const built = (type: string): string => readFileSync(join(ROOT, 'dist', 'nodes', type, `${type}.html`), 'utf8');
const dialog = (type: string): string => new RegExp(`data-template-name="${type}">([\\s\\S]*?)</script>`).exec(built(type))?.[1] ?? '';

describe('the editor templates', () => {
  const types = editorTypes();

  it('leave nothing of the template language in the built files', () => {
    for (const type of types.keys()) {
      assert.doesNotMatch(built(type), /<rows?[ >]|<\/rows?>|<tls-rows>|<health-row>|<tls-help>|<health-help>|\/\* @|\/\/ row\b/, type);
    }
  });

  it('give every property of a node type its input, and every text of a dialog its entry in the catalog', () => {
    for (const [type, def] of types) {
      const prefix = def.category === 'config' ? 'node-config-input' : 'node-input';
      const html = dialog(type);
      const missing = [...Object.keys(def.defaults), ...Object.keys(def.credentials ?? {})].filter((field) => !html.includes(`id="${prefix}-${field}"`));
      assert.deepEqual(missing, [], `${type} has no input for ${missing.join(', ')}`);
      const catalog = JSON.parse(readFileSync(join(ROOT, 'nodes', type, 'locales', 'en-US', `${type}.json`), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      for (const [, key] of html.matchAll(/data-i18n="(?:\[placeholder\])?([\w.-]+)"/g)) {
        const text = key!.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], catalog);
        assert.equal(typeof text, 'string', `${type}: ${key} has no text in the catalog`);
      }
    }
  });

  it('expand a row, a secret with its environment variable, and the shared server rows', () => {
    const html = expand(
      [
        '<script type="text/javascript">RED.nodes.registerType("x-server", { category: \'config\' });</script>',
        '<script type="text/html" data-template-name="x-server">',
        '  <row field="apiKey" icon="key" type="password" env></row>',
        '  <tls-rows></tls-rows>',
        '</script>',
      ].join('\n'),
    );
    const ids = [...html.matchAll(/id="([\w-]+)"/g)].map(([, id]) => id);
    assert.deepEqual(ids, ['node-config-input-apiKey', 'node-config-input-apiKeyEnv', 'node-config-input-tlsFingerprint', 'node-config-input-tlsCa']);
    assert.match(html, /<input type="password" id="node-config-input-apiKey">/);
    assert.match(html, /data-i18n="\[placeholder\]x-server\.placeholder\.apiKeyEnv"/);
  });
});
