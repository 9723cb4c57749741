// Launches Debian's Chromium headless through playwright-core (Playwright's own browser
// download is not used). WebGL2 is rendered in software by SwiftShader, so the tests and the
// benchmark need no GPU.
import { chromium } from 'playwright-core';
import { onCleanup } from './cleanup.mjs';

export const chromiumPath = process.env.IBANK_CHROMIUM || '/usr/bin/chromium';

export const chromiumArgs = [
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

// Returns a Browser; it is closed after the test `t` (when given) and in any case before the
// test process exits, also when the test fails.
export async function launchBrowser({ t = null, args = [] } = {}) {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, ...args],
  });
  const close = () => browser.close().catch(() => {});
  onCleanup(close, t);
  return browser;
}
