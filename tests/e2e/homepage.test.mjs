// The way in from the credit union's homepage (docs/homepage.md): the sample homepage
// (docs/sample-homepage/index.html), served from an origin of its own, opens the app with its
// 法人向けインターネットバンキング ログイン link in a new window (target="_blank" rel="noopener");
// the customer logs in and out there, and このウィンドウを閉じる closes that window while the
// homepage stays open and usable. A tab the customer opened on the app directly is another
// matter: the browser refuses the page's window.close(), and the page says to close the tab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser } from './lib/browser.mjs';
import { onCleanup, runCleanup } from './lib/cleanup.mjs';
import { startIbgate } from './lib/ibgate.mjs';
import { waitForFirstFrame } from './lib/app.mjs';
import { repoRoot } from './lib/paths.mjs';
import { startStaticServer } from './lib/static_server.mjs';
import { saveScreen } from './lib/artifacts.mjs';
import { button, heading, typeInto } from './lib/screens.mjs';

const testTimeout = { timeout: 180_000 };
const sampleHomepage = path.join(repoRoot, 'docs/sample-homepage/index.html');
// The link's href in the sample (scripts/run's app origin); replaced by the test server's.
const sampleHref = 'href="https://localhost:8443/"';
const linkName = '法人向けインターネットバンキング ログイン';
const refusedNotice = 'このウィンドウは自動的に閉じられませんでした。ブラウザのタブまたはウィンドウを閉じてください。';

let browser;
let server;
let homepageUrl;

before(async () => {
  browser = await launchBrowser();
  server = await startIbgate();
  // The sample homepage with its link pointing at this server's app, on its own origin
  // (http://127.0.0.1:PORT, while the app is https://localhost:PORT).
  const html = fs.readFileSync(sampleHomepage, 'utf8');
  assert.equal(html.split(sampleHref).length - 1, 1, `the sample homepage has ${sampleHref} exactly once`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibank-homepage-'));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'index.html'), html.replace(sampleHref, `href="${server.appUrl}"`));
  const homepage = await startStaticServer(dir);
  onCleanup(() => homepage.stop());
  homepageUrl = homepage.url;
});
after(runCleanup);

const newUser = () => server.newUser('home');

// A browser context as server.openPage makes it (certificate errors ignored for the development
// server CA, the customer's certificate, this server's config.json for every page of the
// context, popups included), with the sample homepage open in it.
async function openHomepage(t, certificate) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 900 },
    clientCertificates: certificate.clientCertificates,
  });
  onCleanup(() => context.close().catch(() => {}), t);
  await context.route('**/config.json', (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify(server.config) }));
  const page = await context.newPage();
  await page.goto(homepageUrl);
  return { context, page };
}

// Clicks the homepage's login link; resolves to the new window it opened, after the app's
// first frame. Fails when the click opens no new window (a link without target="_blank").
async function openAppFrom(context, homepage) {
  const link = homepage.getByRole('link', { name: linkName, exact: true });
  const [popup] = await Promise.all([context.waitForEvent('page', { timeout: 15_000 }), link.click()]);
  await popup.waitForURL(server.appUrl);
  await waitForFirstFrame(popup);
  return popup;
}

async function loginAndOut(page, password) {
  await button(page, '電子証明書ログイン').click();
  await button(page, 'OK').click();
  await typeInto(page, 'ログインパスワード', password);
  await button(page, '認証').click();
  await button(page, 'ログアウト').click();
  await heading(page, 'ログアウト完了').waitFor();
}

// Presses このウィンドウを閉じる; resolves to 'closed' or 'refused' (the notice is on the screen),
// whichever happens first.
async function pressClose(page) {
  const closed = page.waitForEvent('close', { timeout: 30_000 }).then(() => 'closed');
  // Waiting for the notice fails as soon as the page is gone: then only `closed` decides.
  const refused = page.getByRole('alert').filter({ hasText: refusedNotice }).waitFor({ timeout: 30_000 })
    .then(() => 'refused', () => new Promise(() => {}));
  closed.catch(() => {});   // after 'refused', its timeout is nobody's failure
  await button(page, 'このウィンドウを閉じる').click();
  return Promise.race([closed, refused]);
}

test('the homepage link opens the app in a new window, which このウィンドウを閉じる closes; the homepage stays', testTimeout, async (t) => {
  const user = await newUser();
  const { context, page: homepage } = await openHomepage(t, user.certificate);
  const popup = await openAppFrom(context, homepage);
  assert.equal(homepage.url(), homepageUrl, 'the homepage itself did not navigate');
  // No browser tells noopener from its default for target="_blank" here, so the markup says it.
  const rel = await homepage.getByRole('link', { name: linkName, exact: true }).getAttribute('rel');
  assert.match(rel ?? '', /(^|\s)noopener(\s|$)/, `rel="${rel}"`);
  // Neither window can reach the other: no opener in the app (noopener, and the app's
  // Cross-Origin-Opener-Policy: same-origin).
  assert.equal(await popup.evaluate(() => window.opener), null);

  await loginAndOut(popup, user.password);
  // The app has grown the window's history (its back-button guard), so the browser lets the page
  // close the window because a link opened it as a new window, not because of a short history.
  const entries = await popup.evaluate(() => history.length);
  t.diagnostic(`history.length of the app's window before このウィンドウを閉じる: ${entries}`);
  assert.ok(entries > 1, `history.length ${entries}`);
  assert.equal(await pressClose(popup), 'closed');
  assert.ok(popup.isClosed());

  // The homepage is still there and works: its link opens the app again.
  assert.ok(!homepage.isClosed());
  assert.equal(homepage.url(), homepageUrl);
  assert.equal(context.pages().length, 1);
  assert.equal(context.pages()[0], homepage);
  await homepage.bringToFront();
  const again = await openAppFrom(context, homepage);
  await button(again, '電子証明書ログイン').waitFor();
});

test('a tab opened on the app directly: the browser refuses このウィンドウを閉じる and the page says to close the tab', testTimeout, async (t) => {
  const user = await newUser();
  const { page } = await server.openPage(browser, t, { clientCertificates: user.certificate.clientCertificates });
  await loginAndOut(page, user.password);
  const entries = await page.evaluate(() => history.length);
  t.diagnostic(`history.length of the directly opened tab before このウィンドウを閉じる: ${entries}`);
  assert.ok(entries > 1, `history.length ${entries}`);
  assert.equal(await pressClose(page), 'refused');
  assert.ok(!page.isClosed());
  await saveScreen(page, 'homepage-direct-close-refused');
  // The page stays usable: 再ログイン leads back to the login screen.
  await button(page, '再ログイン').click();
  await button(page, '電子証明書ログイン').waitFor();
});

// A tab whose history holds just one page (as for an address typed into a new tab, or a bookmark):
// a new tab's blank page replaced by that page (location.replace adds no entry).
async function oneEntryTab(context, url) {
  const page = await context.newPage();
  await Promise.all([page.waitForURL(url), page.evaluate((to) => location.replace(to), url)]);
  return page;
}

test('a tab with only the app in its history (a typed address, a bookmark) is refused too: the app grows its history', testTimeout, async (t) => {
  const user = await newUser();
  const { context, page: homepage } = await openHomepage(t, user.certificate);
  // The browser's rule, seen on a page that adds no entry: a one-entry tab nobody opened by a
  // link or script may be closed by its page.
  const plain = await oneEntryTab(context, homepageUrl);
  assert.equal(await plain.evaluate(() => history.length), 1);
  const plainClosed = plain.waitForEvent('close', { timeout: 10_000 });
  await plain.evaluate(() => { setTimeout(() => window.close(), 0); });   // not inside the evaluation
  await plainClosed;

  // The app adds entries at once (so the back button stays on the page), and then it may not.
  const page = await oneEntryTab(context, server.appUrl);
  await waitForFirstFrame(page);
  const entries = await page.evaluate(() => history.length);
  t.diagnostic(`history.length of a one-entry tab once the app has loaded: ${entries}`);
  assert.ok(entries > 1, `history.length ${entries}`);
  await loginAndOut(page, user.password);
  assert.equal(await pressClose(page), 'refused');
  assert.ok(!homepage.isClosed());
});
