// Crisp text at any browser zoom and screen density: the canvas has one pixel per device pixel
// (CSS size x devicePixelRatio), and a change of devicePixelRatio (zoom, another screen) resizes
// it again and keeps the screen working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { distDir } from './lib/paths.mjs';
import { startStaticServer } from './lib/static_server.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { onCleanup, runCleanup } from './lib/cleanup.mjs';
import { openApp, waitForFirstFrame } from './lib/app.mjs';
import { saveScreen } from './lib/artifacts.mjs';

let server;
let browser;

before(async () => {
  server = await startStaticServer(distDir);
  onCleanup(server.stop);
  browser = await launchBrowser();
});
after(runCleanup);

const canvasPixels = (page) => page.evaluate(() => {
  const c = document.getElementById('canvas');
  return { width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight, dpr: devicePixelRatio };
});

for (const dpr of [1, 1.5, 2]) {
  test(`devicePixelRatio ${dpr}: one canvas pixel per device pixel`, { timeout: 60_000 }, async (t) => {
    const { page } = await openApp(browser, server.url, { t, contextOptions: { deviceScaleFactor: dpr, viewport: { width: 1024, height: 700 } } });
    await waitForFirstFrame(page);
    await page.getByRole('button', { name: '電子証明書ログイン' }).waitFor();
    const c = await canvasPixels(page);
    assert.equal(c.width, Math.round(c.cssWidth * dpr));
    assert.equal(c.height, Math.round(c.cssHeight * dpr));
    await saveScreen(page, `hidpi-${dpr}`);
  });
}

test('browser zoom to 200 % (half the CSS viewport, twice the pixel ratio) re-rasterises and the UI keeps working', { timeout: 60_000 }, async (t) => {
  const { page } = await openApp(browser, server.url, { t });
  await waitForFirstFrame(page);
  await page.getByRole('button', { name: '電子証明書ログイン' }).waitFor();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 640, height: 400, deviceScaleFactor: 2, mobile: false });
  await page.waitForFunction(() => document.getElementById('canvas').width === Math.round(document.getElementById('canvas').clientWidth * 2));
  await page.getByRole('button', { name: '電子証明書ログイン' }).click();
  await page.getByRole('heading', { name: '電子証明書の選択' }).waitFor();
  await saveScreen(page, 'hidpi-after-zoom');
});
