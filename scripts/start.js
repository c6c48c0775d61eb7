#!/usr/bin/env node
// npm start: a local Node-RED on 127.0.0.1 with this package loaded and the example tracker flow
// deployed on first start. Everything lives in .node-red/ (git-ignored): settings, flows, the database.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.join(__dirname, '..');
const userDir = path.resolve(process.env.NODE_RED_USER_DIR || path.join(root, '.node-red'));
const pkg = require(path.join(root, 'package.json'));

fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });

const settingsFile = path.join(userDir, 'settings.js');
if (!fs.existsSync(settingsFile)) fs.copyFileSync(path.join(__dirname, 'node-red-settings.js'), settingsFile);

// Node-RED finds packages in <userDir>/node_modules: link this checkout there.
const link = path.join(userDir, 'node_modules', pkg.name);
if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');
const userPackage = path.join(userDir, 'package.json');
if (!fs.existsSync(userPackage)) {
  fs.writeFileSync(userPackage, JSON.stringify({ name: 'node-red-project', private: true, dependencies: { [pkg.name]: `file:${root}` } }, null, 2));
}

const flows = path.join(userDir, 'flows.json');
if (!fs.existsSync(flows)) fs.copyFileSync(path.join(root, 'examples', 'media-status-tracker.json'), flows);

if (!fs.existsSync(path.join(root, 'dist', 'nodes'))) {
  console.error('dist/ is missing: run "npm install" (or "npm run build") first.');
  process.exit(1);
}

const child = spawn(process.execPath, [require.resolve('node-red/red.js'), '--userDir', userDir, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
