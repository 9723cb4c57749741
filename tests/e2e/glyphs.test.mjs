// Text the first screen's font does not cover (here a credit union name from the configuration;
// after login, company and user names from the server) is drawn with real glyphs: the app
// fetches only the glyph chunks it needs, and no character is left as a missing-glyph box.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { distDir } from './lib/paths.mjs';
import { startStaticServer } from './lib/static_server.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { onCleanup, runCleanup } from './lib/cleanup.mjs';
import { openApp, waitForFirstFrame } from './lib/app.mjs';
import { saveScreen } from './lib/artifacts.mjs';

const config = JSON.parse(fs.readFileSync(path.join(distDir, 'config.json'), 'utf8'));
// Kanji of Japanese names that no UI text uses, one of them beyond the BMP (𠮷).
const rareName = '髙﨑𠮷野信用金庫';

let server;
let browser;

before(async () => {
  server = await startStaticServer(distDir);
  onCleanup(server.stop);
  browser = await launchBrowser();
});
after(runCleanup);

test('a name with kanji outside the font subset is drawn after fetching only its chunks', { timeout: 90_000 }, async (t) => {
  const chunkRequests = [];
  const { page } = await openApp(browser, server.url, {
    t,
    setup: async (context, p) => {
      p.on('request', (r) => { if (r.url().includes('/glyphs/')) chunkRequests.push(r.url()); });
      await context.route('**/config.json', (route) => route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ ...config, credit_union: { ...config.credit_union, name: { ja: rareName, en: rareName } } }),
      }));
    },
  });
  await waitForFirstFrame(page);
  await page.getByText(rareName).waitFor();
  await page.waitForFunction(() => window.ibankStats.missingGlyphs === 0, null, { polling: 50, timeout: 30_000 });
  // 髙 (U+9AD9), 﨑 (U+FA11) and 𠮷 (U+20BB7) each sit in their own chunk; 野 and the rest of
  // the name are in the UI's subset already.
  assert.ok(chunkRequests.length >= 3 && chunkRequests.length <= 4, `chunks fetched: ${chunkRequests.join(', ')}`);
  await saveScreen(page, 'glyphs-rare-name');
});

test('the first screen needs no glyph chunk at all', { timeout: 90_000 }, async (t) => {
  const chunkRequests = [];
  const { page } = await openApp(browser, server.url, {
    t,
    setup: async (context, p) => {
      p.on('request', (r) => { if (r.url().includes('glyphs')) chunkRequests.push(r.url()); });
    },
  });
  await waitForFirstFrame(page);
  await page.getByRole('button', { name: '電子証明書ログイン' }).waitFor();
  await page.waitForFunction(() => window.ibankStats.missingGlyphs === 0, null, { polling: 50, timeout: 10_000 });
  assert.deepEqual(chunkRequests, []);
});
