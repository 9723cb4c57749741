// The login flow's first steps in a real browser, with the certificate origin unreachable (a
// dead server): the semantic overlay drives ImGui's own buttons, a mouse click at the widget's
// position works the same, keyboard activation works, every failure offers a way forward, and a
// lost WebGL context loses nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { distDir } from './lib/paths.mjs';
import { startStaticServer } from './lib/static_server.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { onCleanup, runCleanup } from './lib/cleanup.mjs';
import { openApp, waitForFirstFrame, framesDrawn, settle } from './lib/app.mjs';
import { saveScreen } from './lib/artifacts.mjs';

const testTimeout = { timeout: 90_000 };
const config = JSON.parse(fs.readFileSync(path.join(distDir, 'config.json'), 'utf8'));

let server;
let browser;
let deadOrigin;

// A loopback port that was just free: connections to it are refused, as from a stopped server.
function closedPort() {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

before(async () => {
  deadOrigin = `https://127.0.0.1:${await closedPort()}`;
  server = await startStaticServer(distDir);
  onCleanup(server.stop);
  browser = await launchBrowser();
});
after(runCleanup);

// The page with the certificate origin pointing at a closed port on loopback.
async function openOffline(t) {
  const opened = await openApp(browser, server.url, {
    t,
    setup: async (context) => {
      await context.route('**/config.json', (route) => route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ ...config, certificate_origin: deadOrigin }),
      }));
    },
  });
  t.after(() => { if (opened.consoleLines.length) t.diagnostic(opened.consoleLines.join('\n')); });
  await waitForFirstFrame(opened.page);
  return opened.page;
}

const loginButton = (page) => page.getByRole('button', { name: '電子証明書ログイン' });
const promptHeading = (page) => page.getByRole('heading', { name: '電子証明書の選択' });

test('the overlay button starts certificate login; キャンセル returns to the login screen', testTimeout, async (t) => {
  const page = await openOffline(t);
  await loginButton(page).click();
  await promptHeading(page).waitFor();
  await saveScreen(page, 'offline-certificate-prompt');
  await page.getByRole('button', { name: 'キャンセル' }).click();
  await loginButton(page).waitFor();
  assert.equal(await promptHeading(page).count(), 0);
});

test('a real mouse click at the button position works exactly like the canvas', testTimeout, async (t) => {
  const page = await openOffline(t);
  const box = await loginButton(page).boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await promptHeading(page).waitFor();
  // A click beside the button (on plain background) does nothing.
  const ok = await page.getByRole('button', { name: 'OK' }).boundingBox();
  await page.mouse.click(ok.x + ok.width / 2, ok.y + ok.height + 60);
  await settle(page);   // every frame the click causes has been drawn
  assert.equal(await promptHeading(page).count(), 1);
});

test('keyboard activation of a focused overlay element acts once', testTimeout, async (t) => {
  const page = await openOffline(t);
  await loginButton(page).focus();
  await page.keyboard.press('Enter');
  await promptHeading(page).waitFor();
  assert.equal(await page.getByRole('heading', { name: '電子証明書の選択' }).count(), 1);
});

test('a dead certificate server gives a clear error with retry and a way back', testTimeout, async (t) => {
  const page = await openOffline(t);
  await loginButton(page).click();
  await page.getByRole('button', { name: 'OK' }).click();
  const retry = page.getByRole('button', { name: '再試行' });
  await retry.waitFor();
  const alert = page.getByRole('alert');
  assert.match(await alert.first().textContent(), /サーバーに接続できませんでした/);
  await saveScreen(page, 'offline-server-unavailable');
  const failedAgain = page.waitForEvent('requestfailed', (r) => r.url().includes('/api/v1/identify'));
  await retry.click();
  await failedAgain;
  // Still down: the same error screen again, not a crash.
  await page.waitForFunction(() => document.getElementById('semantics').dataset.screen === 'error_unavailable');
  await page.getByRole('button', { name: 'ログイン画面へ戻る' }).click();
  await loginButton(page).waitFor();
});

test('double-clicking OK sends one identification request', testTimeout, async (t) => {
  const page = await openOffline(t);
  let identifyRequests = 0;
  page.on('request', (request) => { if (request.url().includes('/api/v1/identify')) identifyRequests++; });
  await loginButton(page).click();
  const ok = await page.getByRole('button', { name: 'OK' }).boundingBox();
  await page.mouse.dblclick(ok.x + ok.width / 2, ok.y + ok.height / 2);
  await page.getByRole('button', { name: '再試行' }).waitFor();
  assert.equal(identifyRequests, 1);
});

test('a lost WebGL context is restored with the screen unchanged', testTimeout, async (t) => {
  const page = await openOffline(t);
  await loginButton(page).click();
  await promptHeading(page).waitFor();
  // Resolves once the browser has reported the loss (the app's own handler ran before ours).
  await page.evaluate(() => new Promise((resolve) => {
    const canvas = document.getElementById('canvas');
    canvas.addEventListener('webglcontextlost', () => resolve(), { once: true });
    window.__lose = canvas.getContext('webgl2').getExtension('WEBGL_lose_context');
    window.__lose.loseContext();
  }));
  const before = (await framesDrawn(page)).app;
  await page.evaluate(() => window.__lose.restoreContext());
  await page.waitForFunction((n) => window.ibankStats.framesDrawn > n, before, { polling: 50, timeout: 10_000 });
  await promptHeading(page).waitFor();
  await page.getByRole('button', { name: 'キャンセル' }).click();
  await loginButton(page).waitFor();
  await saveScreen(page, 'offline-after-context-restore');
});

test('a tap on a touch screen presses the button once (tablets at the counter)', testTimeout, async (t) => {
  const opened = await openApp(browser, server.url, {
    t,
    contextOptions: { hasTouch: true, isMobile: false, viewport: { width: 768, height: 1024 } },
    setup: async (context) => {
      await context.route('**/config.json', (route) => route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ ...config, certificate_origin: deadOrigin }),
      }));
    },
  });
  const page = opened.page;
  await waitForFirstFrame(page);
  const box = await loginButton(page).boundingBox();
  await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
  await promptHeading(page).waitFor();
  const cancel = await page.getByRole('button', { name: 'キャンセル' }).boundingBox();
  await page.touchscreen.tap(cancel.x + cancel.width / 2, cancel.y + cancel.height / 2);
  await loginButton(page).waitFor();
  await saveScreen(page, 'offline-tablet-after-tap');
});
