// The built page (build/dist) in headless Chromium: it paints the Japanese first screen, then
// stays idle - no frames while nothing changes, none while hidden - and it shows a clear message
// instead of a blank page when the app cannot start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { distDir } from './lib/paths.mjs';
import { startStaticServer } from './lib/static_server.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { onCleanup, runCleanup } from './lib/cleanup.mjs';
import { openApp, waitForFirstFrame, framesDrawn, sleep } from './lib/app.mjs';
import { saveScreenshot } from './lib/artifacts.mjs';
import { setPageHidden } from './lib/visibility.mjs';
import { decodePng, inkStats } from './lib/png.mjs';

const heading = '法人向けインターネットバンキング';
const testTimeout = { timeout: 90_000 };

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(distDir, 'index.html')),
    `${distDir}/index.html is missing: build the web app first (scripts/build web)`);
  server = await startStaticServer(distDir);
  onCleanup(server.stop);
  browser = await launchBrowser();
});
after(runCleanup);

// What the canvas painted inside `box` (page coordinates), without the DOM overlay on top.
async function paintedInside(page, box, overlayLocator) {
  const element = await overlayLocator.elementHandle();
  const previous = await element.evaluate((el) => {
    const value = el.style.visibility;
    el.style.visibility = 'hidden';
    return value;
  });
  try {
    return decodePng(await page.screenshot({ clip: box }));
  } finally {
    await element.evaluate((el, value) => { el.style.visibility = value; }, previous);
    await element.dispose();
  }
}

test('the first screen paints the Japanese heading, then stays idle', testTimeout, async (t) => {
  const { page, consoleLines } = await openApp(browser, server.url, { t });
  t.after(() => { if (consoleLines.length) t.diagnostic(consoleLines.join('\n')); });
  await waitForFirstFrame(page);

  // The semantic overlay names the heading; the canvas must have painted text where it is.
  const title = page.getByRole('heading', { name: heading });
  await title.waitFor({ state: 'visible', timeout: 30_000 });
  const box = await title.boundingBox();
  assert.ok(box && box.width > 20 && box.height > 8, `heading box ${JSON.stringify(box)} is too small to hold the title`);
  const glyphs = inkStats(await paintedInside(page, box, title));
  assert.ok(glyphs.contrastRatio > 0.03 && glyphs.contrastRatio < 0.7,
    `the canvas under the heading shows no text (${JSON.stringify(glyphs)})`);

  const canvasBox = await page.locator('canvas').first().boundingBox();
  assert.ok(canvasBox && canvasBox.width > 0 && canvasBox.height > 0, 'the canvas has no size');
  await saveScreenshot(page, 'page_load-first-screen');

  // Idle after load: at most a few frames in 3 s (the budget is 2 frames/s).
  const atLoad = await framesDrawn(page);
  await sleep(3000);   // the window the frames are counted in, not a wait for something
  const idle = await framesDrawn(page);
  assert.ok(idle.app - atLoad.app <= 6, `the idle page drew ${idle.app - atLoad.app} frames in 3 s`);
  assert.ok(idle.probe - atLoad.probe <= 6, `WebGL saw ${idle.probe - atLoad.probe} frames drawn in 3 s of idling`);

  // Hidden (another tab in front): nothing at all, even though requestAnimationFrame keeps running.
  const atHide = await framesDrawn(page);
  await setPageHidden(page, true);
  await sleep(2000);   // likewise: nothing may be drawn in it
  const hidden = await framesDrawn(page);
  assert.equal(hidden.app - atHide.app, 0, 'the app counted frames while the page was hidden');
  assert.equal(hidden.probe - atHide.probe, 0, 'WebGL drew while the page was hidden');

  // Back in front: the page is still there and still names its heading.
  await setPageHidden(page, false);
  await title.waitFor({ state: 'visible', timeout: 10_000 });
});

// The message the page shows instead of the app: visible, with words, and styled by the page
// (not the browser's default look of a bare <div>).
async function assertStyledLoadError(page, what) {
  const message = page.locator('#load-error');
  await message.waitFor({ state: 'visible', timeout: 30_000 });
  const text = (await message.innerText()).trim();
  assert.ok(text.length >= 5, `${what}: #load-error has no real text: "${text}"`);
  const styled = await message.evaluate((el) => {
    const plain = document.createElement('div');
    document.body.appendChild(plain);
    const a = getComputedStyle(el);
    const b = getComputedStyle(plain);
    const props = ['color', 'backgroundColor', 'fontFamily', 'fontSize', 'fontWeight', 'paddingTop',
                   'paddingLeft', 'borderTopWidth', 'borderLeftWidth', 'maxWidth', 'textAlign'];
    const differing = props.filter((p) => a[p] !== b[p]);
    plain.remove();
    return differing;
  });
  assert.ok(styled.length >= 2, `${what}: #load-error looks like an unstyled element (differs only in ${styled})`);
  const box = await message.boundingBox();
  const ink = inkStats(decodePng(await page.screenshot({ clip: box })));
  assert.ok(ink.contrastRatio > 0.01, `${what}: the message is not visibly painted (${JSON.stringify(ink)})`);
  return text;
}

// What a browser adds to a login page on its own, each decided (README, "What the browser adds"):
// no translation offer, and nothing a password manager or autofill would take for a login form.
test('the page asks not to be translated and offers no form to a password manager', testTimeout, async (t) => {
  const { page } = await openApp(browser, server.url, { t });
  await waitForFirstFrame(page);
  await page.getByRole('heading', { name: heading }).waitFor();
  const marks = await page.evaluate(() => ({
    translate: document.documentElement.getAttribute('translate'),
    google: document.querySelector('meta[name="google"]')?.getAttribute('content') ?? null,
    lang: document.documentElement.lang,
    forms: document.querySelectorAll('form, input[type="password"], input[type="text"], input:not([type])').length,
  }));
  assert.deepEqual(marks, { translate: 'no', google: 'notranslate', lang: 'ja', forms: 0 });
});

test('a failed WebAssembly download shows a styled error message', testTimeout, async (t) => {
  const wasmRequests = [];
  const { page } = await openApp(browser, server.url, {
    t,
    setup: (context, p) => p.route('**/*.wasm', (route) => {
      wasmRequests.push(route.request().url());
      return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
    }),
  });
  await assertStyledLoadError(page, 'wasm 404');
  assert.ok(wasmRequests.length >= 1, 'the page never requested its .wasm file');
  assert.equal(await page.evaluate(() => window.ibankStats?.firstFrameMs ?? null), null, 'a frame was drawn without the app');
  await saveScreenshot(page, 'page_load-wasm-missing');
});

test('a browser without WebAssembly gets a styled error message', testTimeout, async (t) => {
  const { page } = await openApp(browser, server.url, {
    t,
    setup: (context, p) => p.addInitScript(() => { delete window.WebAssembly; }),
  });
  await assertStyledLoadError(page, 'no WebAssembly');
  await saveScreenshot(page, 'page_load-no-webassembly');
});

test('a browser without WebGL2 gets a styled error message', testTimeout, async (t) => {
  const noWebGl = await launchBrowser({ t, args: ['--disable-webgl'] });
  const { page } = await openApp(noWebGl, server.url, { t });
  // The premise: this browser really has no WebGL2.
  assert.equal(await page.evaluate(() => document.createElement('canvas').getContext('webgl2')), null);
  await assertStyledLoadError(page, 'no WebGL2');
  await saveScreenshot(page, 'page_load-no-webgl2');
});
