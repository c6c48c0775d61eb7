import { existsSync } from 'node:fs';
/** Debian's Chromium, as the browser tests and the page bench launch it (offline: no background networking). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** In a suite's `before`: skip it, saying why, when Debian's Chromium is not installed. */
export function skipWithoutChromium(context: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  console.log(`    skipped: Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`);
  context.skip();
}
