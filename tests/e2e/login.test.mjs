// The manual's login flow against the real reference server over real TLS with real client
// certificates (Playwright's clientCertificates), in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from './lib/browser.mjs';
import { runCleanup } from './lib/cleanup.mjs';
import { startIbgate } from './lib/ibgate.mjs';
import { waitForFirstFrame } from './lib/app.mjs';
import { saveScreen } from './lib/artifacts.mjs';
import { button, heading, screenState, typeInto, waitForNextScreen } from './lib/screens.mjs';

const testTimeout = { timeout: 120_000 };
// Names with kanji outside the first screen's font: they arrive as glyph chunks.
const company = '株式会社髙島製作所';
const userName = '𠮷田 花子';

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startIbgate();
});
after(runCleanup);

// A browser context holding `certificate` (or none: a customer with no certificate installed).
function openPage(t, certificate = null) {
  return server.openPage(browser, t, { clientCertificates: certificate ? certificate.clientCertificates : null });
}

async function identify(page) {
  await button(page, '電子証明書ログイン').click();
  await button(page, 'OK').click();
  await heading(page, 'ログインパスワード入力').waitFor();
}

async function typePassword(page, password) {
  await typeInto(page, 'ログインパスワード', password);
  await button(page, '認証').click();
}

async function login(page, password) {
  await identify(page);
  await typePassword(page, password);
  await button(page, 'ログアウト').waitFor();
}

const newUser = (options = {}) => server.newUser('user', options);

test('① certificate and password lead to the main screen with company, user and previous login', testTimeout, async (t) => {
  const user = await newUser({ company, name: userName });
  const { page } = await openPage(t, user.certificate);
  await saveScreen(page, 'login-1-login-screen');
  await button(page, '電子証明書ログイン').click();
  await heading(page, '電子証明書の選択').waitFor();
  await saveScreen(page, 'login-1-certificate-prompt');
  await button(page, 'OK').click();
  await heading(page, 'ログインパスワード入力').waitFor();
  // The certificate name "ID + 金融機関コード", split into its parts.
  assert.equal(await page.getByText(`電子証明書名：${user.id}1399（ID ${user.id}／金融機関コード 1399／管理者）`).count(), 1);
  await saveScreen(page, 'login-1-password');
  // The password field is drawn on the canvas: the DOM holds no form and no password input a
  // password manager would offer to save or fill (README, "What the browser adds").
  assert.equal(await page.locator('form, input[type="password"]').count(), 0);
  await typePassword(page, user.password);
  await button(page, 'ログアウト').waitFor();
  await heading(page, company).waitFor();
  assert.equal(await page.getByText(`利用者名：${userName}`).count(), 1);
  assert.equal(await page.getByText('前回ログイン日時：（初回ログイン）').count(), 1);
  await page.waitForFunction(() => window.ibankStats.missingGlyphs === 0, null, { polling: 50, timeout: 30_000 });
  await saveScreen(page, 'login-1-main');

  // ② ログアウト → logout complete → 再ログイン → login screen → log in again.
  await button(page, 'ログアウト').click();
  await heading(page, 'ログアウト完了').waitFor();
  await saveScreen(page, 'login-2-logged-out');
  await button(page, '再ログイン').click();
  await button(page, '電子証明書ログイン').click();
  // The certificate used last time on this device is named on the prompt (name only).
  await page.getByText(`前回この端末で使用した電子証明書：${user.id}1399`).waitFor();
  await saveScreen(page, 'login-2-prompt-remembers-certificate');
  await button(page, 'キャンセル').click();
  await login(page, user.password);
  await saveScreen(page, 'login-2-main-again');
  assert.match(await page.getByText(/^前回ログイン日時：\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d$/).textContent(), /前回ログイン日時/);
});

test('the whole login with a real mouse and keyboard only', testTimeout, async (t) => {
  const user = await newUser();
  const { page } = await openPage(t, user.certificate);
  // Positions come from the semantic layer; every action is a real pointer or key event that
  // ImGui hit-tests on the canvas.
  const clickAt = async (locator) => {
    const box = await locator.boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  };
  await clickAt(button(page, '電子証明書ログイン'));
  await heading(page, '電子証明書の選択').waitFor();
  await clickAt(button(page, 'OK'));
  await heading(page, 'ログインパスワード入力').waitFor();
  await clickAt(page.getByRole('textbox', { name: 'ログインパスワード' }));
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
  await button(page, 'ログアウト').waitFor();
});

test('③ a session left by a closed browser is ended with 強制ログアウト, then the customer logs in again', testTimeout, async (t) => {
  const user = await newUser();
  const first = await openPage(t, user.certificate);
  await login(first.page, user.password);
  await first.context.close();   // the browser is closed without logging out

  const { page } = await openPage(t, user.certificate);
  await identify(page);
  await typePassword(page, user.password);
  await heading(page, '強制ログアウト').waitFor();
  await saveScreen(page, 'login-3-forced-logout');
  await button(page, '強制ログアウト').click();
  await button(page, '電子証明書ログイン').waitFor();
  await saveScreen(page, 'login-3-after-forced-logout');
  await login(page, user.password);
  await saveScreen(page, 'login-3-main');
  const audit = await server.ibgate(['audit', '--user', user.id, '--json']);
  assert.match(audit, /force/);
});

test('⑤ a wrong password shows the remaining attempts; too many lock the user until an operator unlocks', testTimeout, async (t) => {
  const user = await newUser();
  const { page } = await openPage(t, user.certificate);
  await identify(page);
  await typePassword(page, 'wrong-password');
  await page.getByRole('alert').filter({ hasText: 'あと5回' }).waitFor();
  await saveScreen(page, 'login-5-wrong-password');
  for (let i = 0; i < 5; i++) {
    const before = await screenState(page);
    await typePassword(page, 'wrong-password');
    await waitForNextScreen(page, before, i < 4 ? 'password_entry' : 'error_locked');
  }
  await page.getByRole('alert').filter({ hasText: 'ご利用を停止しています' }).waitFor();
  await saveScreen(page, 'login-5-locked');
  await server.ibgate(['user', 'unlock', user.id]);
  await button(page, 'ログイン画面へ戻る').click();
  await login(page, user.password);
});

test('④ a customer without a certificate is told so, with a way back', testTimeout, async (t) => {
  const { page } = await openPage(t, null);
  await button(page, '電子証明書ログイン').click();
  await button(page, 'OK').click();
  await page.getByRole('alert').filter({ hasText: '電子証明書が選択されなかった' }).waitFor();
  await saveScreen(page, 'login-4-no-certificate');
  await button(page, 'ログイン画面へ戻る').click();
  await button(page, '電子証明書ログイン').waitFor();
});

test('⑦ reload keeps the main screen; logging out in one tab logs out the other', testTimeout, async (t) => {
  const user = await newUser();
  const { context, page } = await openPage(t, user.certificate);
  await login(page, user.password);
  await page.reload();
  await waitForFirstFrame(page);
  await button(page, 'ログアウト').waitFor();
  await saveScreen(page, 'login-7-after-reload');

  // A second window of the same login (opened from the first, as a browser's "duplicate tab"
  // or a link does: it inherits the tab's session storage and restores from the server).
  const [other] = await Promise.all([context.waitForEvent('page'), page.evaluate(() => window.open(location.href))]);
  await waitForFirstFrame(other);
  await button(other, 'ログアウト').waitFor();
  await button(page, 'ログアウト').click();
  await heading(page, 'ログアウト完了').waitFor();
  await heading(other, 'ログアウト完了').waitFor();
  await saveScreen(other, 'login-7-other-window-logged-out');
});

test('keyboard only: Tab into the password field, type, Tab to 認証, Enter', testTimeout, async (t) => {
  const user = await newUser();
  const { page } = await openPage(t, user.certificate);
  await identify(page);
  const focusedName = () => page.evaluate(() => {
    const el = document.activeElement;
    return el ? (el.getAttribute('aria-label') || el.textContent) : '';
  });
  const tabTo = async (name) => {
    for (let i = 0; i < 20 && (await focusedName()) !== name; i++)
      await page.keyboard.press('Tab');
    assert.equal(await focusedName(), name);
  };
  await tabTo('ログインパスワード');
  await page.keyboard.type(user.password);
  await tabTo('認証');
  await page.keyboard.type('x');   // focus left the field: this must not reach the password
  await page.keyboard.press('Enter');
  await button(page, 'ログアウト').waitFor();
});

test('the back button keeps the screen and explains itself; このウィンドウを閉じる closes a window the page opened, and says how otherwise', testTimeout, async (t) => {
  const user = await newUser();
  const { context, page } = await openPage(t, user.certificate);
  await login(page, user.password);
  await page.goBack();
  await page.getByRole('alert').filter({ hasText: '「戻る」ボタンはご利用になれません' }).waitFor();
  await button(page, 'ログアウト').waitFor();   // still logged in, on the main screen
  await saveScreen(page, 'login-back-button');

  // A window the customer opened themselves cannot be closed by the page: it says so.
  await button(page, 'ログアウト').click();
  await heading(page, 'ログアウト完了').waitFor();
  const closed = new Promise((resolve) => page.once('close', () => resolve(true)));
  await button(page, 'このウィンドウを閉じる').click();
  const outcome = await Promise.race([
    closed,
    page.getByRole('alert').filter({ hasText: 'ブラウザのタブまたはウィンドウ' }).waitFor().then(() => false),
  ]);
  // Chromium refuses: the tab's history holds more than the app's own entries (docs/homepage.md).
  assert.equal(outcome, false, 'the page closed a window the customer opened');
  await saveScreen(page, 'login-close-refused');

  // A window the page opened itself (as from the credit union's homepage) closes.
  const opener = await context.newPage();
  await opener.goto(server.appUrl);
  const [popup] = await Promise.all([context.waitForEvent('page'), opener.evaluate(() => window.open(location.href))]);
  await waitForFirstFrame(popup);
  await popup.evaluate(() => sessionStorage.clear());
  await login(popup, user.password);
  await button(popup, 'ログアウト').click();
  await heading(popup, 'ログアウト完了').waitFor();
  const popupClosed = new Promise((resolve) => popup.once('close', resolve));
  await button(popup, 'このウィンドウを閉じる').click();
  await popupClosed;
});

test('a certificate that expires within 30 days is flagged on the password screen', testTimeout, async (t) => {
  const { id } = await server.newUser('user', { certificate: false });
  const certificate = await server.issueCert(id, { days: 10 });
  const { page } = await openPage(t, certificate);
  await identify(page);
  await page.getByRole('alert').filter({ hasText: /電子証明書の有効期限まで残り(9|10)日です/ }).waitFor();
  await saveScreen(page, 'login-certificate-expires-soon');
});

test('English on every screen, remembered on the device, and back to 日本語', testTimeout, async (t) => {
  const user = await newUser();
  const { page } = await openPage(t, user.certificate);
  await button(page, 'English').click();
  await heading(page, 'Corporate Internet Banking').waitFor();
  await page.reload();
  await waitForFirstFrame(page);
  await heading(page, 'Corporate Internet Banking').waitFor();   // remembered
  await button(page, 'Certificate login').click();
  await heading(page, 'Choose your certificate').waitFor();
  await button(page, 'OK').click();
  await typeInto(page, 'Login password', user.password);
  await button(page, 'Authenticate').click();
  await button(page, 'Log out').waitFor();
  await saveScreen(page, 'login-english-main');
  await button(page, '日本語').click();
  await button(page, 'ログアウト').waitFor();
});
