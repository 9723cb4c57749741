// A session left idle ends: the main screen warns before the idle timeout, then the page shows
// the session-expired screen by itself, and 再ログイン leads back to the login screen. The server
// runs with its shortest idle timeout (30 s), so this file takes about half a minute.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from './lib/browser.mjs';
import { runCleanup } from './lib/cleanup.mjs';
import { startIbgate } from './lib/ibgate.mjs';
import { saveScreen } from './lib/artifacts.mjs';

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startIbgate({ idleTimeout: 30 });
});
after(runCleanup);

test('⑥ an idle session warns, expires into the session-expired screen, and 再ログイン starts again', { timeout: 120_000 }, async (t) => {
  await server.addUser('idle01', 'Idle-Secret-1');
  const certificate = await server.issueCert('idle01');
  const { page } = await server.openPage(browser, t, { clientCertificates: certificate.clientCertificates });

  const logIn = async () => {
    await page.getByRole('button', { name: '電子証明書ログイン' }).click();
    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('textbox', { name: 'ログインパスワード' }).click();
    await page.keyboard.type('Idle-Secret-1');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'ログアウト' }).waitFor();
  };
  await logIn();
  const loggedInAt = Date.now();

  // The warning lead (120 s) is longer than the whole idle timeout: it shows at once.
  await page.getByRole('alert').filter({ hasText: 'まもなく自動的にログアウトします' }).waitFor();
  assert.match(await page.getByText(/^残り時間 00:[0-3]\d$/).textContent(), /残り時間/);
  await saveScreen(page, 'expiry-warning');

  // Nobody touches the page: it moves to the session-expired screen on its own.
  await page.getByRole('heading', { name: 'ログアウトしました' }).waitFor({ timeout: 60_000 });
  assert.ok(Date.now() - loggedInAt >= 25_000, 'the session ended before its idle timeout');
  await saveScreen(page, 'expiry-expired');
  await page.getByRole('button', { name: '再ログイン' }).click();
  await page.getByRole('button', { name: '電子証明書ログイン' }).waitFor();

  // The server agrees: the old session is gone, so logging in again needs no forced logout.
  await logIn();
});
