#!/usr/bin/env node
// tsc compiles the runtime; the editor files (.html, expanded from their templates: editor-html.js),
// message catalogs and icons sit beside it in dist/.
const fs = require('node:fs');
const path = require('node:path');
const { expand } = require('./editor-html');

const root = path.join(__dirname, '..');
const from = path.join(root, 'nodes');
const to = path.join(root, 'dist', 'nodes');

function copy(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const source = path.join(dir, entry.name);
    const relative = path.relative(from, source);
    if (entry.isDirectory()) copy(source);
    else if (/\.(html|json|svg|png)$/.test(entry.name)) {
      fs.mkdirSync(path.dirname(path.join(to, relative)), { recursive: true });
      if (entry.name.endsWith('.html')) fs.writeFileSync(path.join(to, relative), expand(fs.readFileSync(source, 'utf8')));
      else fs.copyFileSync(source, path.join(to, relative));
    }
  }
}
copy(from);
