// Node-RED settings for a local run (copied into the user dir by scripts/start.js; edit the copy freely).
module.exports = {
  uiHost: process.env.HOST || '127.0.0.1',
  uiPort: Number(process.env.PORT) || 1880,
  flowFile: 'flows.json',
  editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
  diagnostics: { enabled: false },
  // No update check (it would send anonymised data to the Node-RED team) and no prompt about it.
  telemetry: { enabled: false },
  logging: { console: { level: process.env.LOG_LEVEL || 'info', metrics: false, audit: false } },
};
