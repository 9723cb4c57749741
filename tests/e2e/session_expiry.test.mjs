// A session left idle ends: the main screen warns before the idle timeout, then the page shows
// the session-expired screen by itself, and 再ログイン leads back to the login screen. The server
// runs with its shortest idle timeout (30 s) and a clock the test moves (ibgate-test-clock), and
// the page's clock is Playwright's, so the idle time passes at once on both sides. The
// second checks the layout of both states (the warning, the session-expired screen) with the
// longest texts, English at 特大, at every window size of the layout matrix.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from './lib/browser.mjs';
import { runCleanup } from './lib/cleanup.mjs';
import { startIbgate } from './lib/ibgate.mjs';
import { saveScreen } from './lib/artifacts.mjs';
import { checkScreenLayout, parkPointer, preferenceSetup } from './lib/layout.mjs';

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startIbgate({ idleTimeout: 30, testClock: true });
});
after(runCleanup);

// Moves the time of both the page and the server forward by `seconds`, as if nobody touched the
// page meanwhile (the page fires the timers that fell due).
async function idleFor(context, seconds) {
  await server.advanceClock(seconds);
  await context.clock.fastForward(seconds * 1000);
}

test('⑥ an idle session warns, expires into the session-expired screen, and 再ログイン starts again', { timeout: 60_000 }, async (t) => {
  await server.addUser('idle01', 'Idle-Secret-1');
  const certificate = await server.issueCert('idle01');
  const { page, context } = await server.openPage(browser, t, { clientCertificates: certificate.clientCertificates,
                                                                setup: (c) => c.clock.install() });

  const logIn = async () => {
    await page.getByRole('button', { name: '電子証明書ログイン' }).click();
    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('textbox', { name: 'ログインパスワード' }).click();
    await page.keyboard.type('Idle-Secret-1');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'ログアウト' }).waitFor();
  };
  await logIn();

  // The warning lead (120 s) is longer than the whole idle timeout: it shows at once.
  await page.getByRole('alert').filter({ hasText: 'まもなく自動的にログアウトします' }).waitFor();
  assert.match(await page.getByText(/^残り時間 00:[0-3]\d$/).textContent(), /残り時間/);
  await saveScreen(page, 'expiry-warning');

  // 20 s idle: still logged in, the countdown shows what is left.
  await idleFor(context, 20);
  await page.getByText(/^残り時間 00:(0\d|10)$/).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'ログアウトしました' }).count(), 0, 'the session ended before its idle timeout');
  // Past the timeout: the page moves to the session-expired screen on its own.
  await idleFor(context, 11);
  await page.getByRole('heading', { name: 'ログアウトしました' }).waitFor();
  // The server agrees on its own clock: the session cookie the browser still holds names an
  // expired session.
  const answer = await page.evaluate(async (url) => {
    const r = await fetch(url, { credentials: 'include' });
    return { status: r.status, code: (await r.json()).error };
  }, `${server.certOrigin}/api/v1/session`);
  assert.deepEqual(answer, { status: 401, code: 'session_expired' });
  await saveScreen(page, 'expiry-expired');
  await page.getByRole('button', { name: '再ログイン' }).click();
  await page.getByRole('button', { name: '電子証明書ログイン' }).waitFor();

  // The server agrees: the old session is gone, so logging in again needs no forced logout.
  await logIn();
});

test('the idle warning and the session-expired screen keep their layout at 特大 in English', { timeout: 120_000 }, async (t) => {
  await server.addUser('idle02', 'Idle-Secret-2');
  const certificate = await server.issueCert('idle02');
  const prefs = preferenceSetup({ lang: 'en', textSize: 'x-large', theme: 'dark' });
  const { page, context } = await server.openPage(browser, t, {
    clientCertificates: certificate.clientCertificates, viewport: { width: 390, height: 844 },
    setup: async (c) => { await prefs(c); await c.clock.install(); },
  });
  // Through the keyboard: at this size OK lies below the fold, and focus scrolls to it.
  await page.getByRole('button', { name: 'Certificate login' }).click();
  await page.getByRole('button', { name: 'OK' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('textbox', { name: 'Login password' }).focus();
  await page.keyboard.type('Idle-Secret-2');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'You will be logged out soon' }).waitFor({ state: 'attached' });
  await parkPointer(page);

  const where = (screen) => (v) => `${screen} ${v.width}×${v.height} en/x-large/dark`;
  const shot = (screen) => (v) => `layout/en-x-large-dark/${screen}-${v.width}x${v.height}`;
  const warning = await checkScreenLayout(page, where('idle warning'), shot('main-idle-warning'));
  assert.deepEqual(warning.found.map((f) => f.text), []);

  await idleFor(context, 31);
  await page.getByRole('heading', { name: 'Session ended' }).waitFor();
  const expired = await checkScreenLayout(page, where('session expired'), shot('session-expired'));
  assert.deepEqual(expired.screens, ['session_expired']);
  assert.deepEqual(expired.found.map((f) => f.text), []);
});
