// The page and the server cannot disagree about where things are: ibgate serves config.json
// with the origins and institution code it runs with, so a server started on any ports just
// works; a page opened at an origin the server does not admit, or a certificate origin that
// answers but refuses the page (CORS), is explained as the service's misconfiguration - for the
// operator, with both origins named - and never as the customer's network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from './lib/browser.mjs';
import { runCleanup } from './lib/cleanup.mjs';
import { startIbgate, institution } from './lib/ibgate.mjs';
import { saveScreen } from './lib/artifacts.mjs';
import { button, heading, typeInto, screenText, screenState, waitForNextScreen, waitForScreen } from './lib/screens.mjs';

const testTimeout = { timeout: 120_000 };
const misconfigured = 'サービスの設定に誤りがあるため、接続できません。';

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startIbgate();   // ephemeral ports: never the shipped config.json's 8443 / 8444
});
after(runCleanup);

test('the page gets the server\'s own origins and institution code: a login on any ports works', testTimeout, async (t) => {
  const shipped = server.config;   // build/dist/config.json as shipped, with this server's origin put in by the harness
  assert.notEqual(new URL(server.certOrigin).port, '8444');
  await server.addUser('origin1', 'Pw-origin-1!');
  const { clientCertificates } = await server.issueCert('origin1');
  // No stand-in config.json: the page reads the one ibgate serves.
  const { page } = await server.openPage(browser, t, { clientCertificates, pageConfig: null });
  const served = await page.evaluate(async () => (await fetch('config.json', { cache: 'no-store' })).json());
  assert.equal(served.certificate_origin, server.certOrigin);
  assert.equal(served.app_origin, new URL(server.appUrl).origin);
  assert.equal(served.credit_union.institution_code, institution.code);
  assert.deepEqual(served.notices, shipped.notices, 'the credit union\'s own texts are served as written');

  await button(page, '電子証明書ログイン').click();
  await button(page, 'OK').click();
  await heading(page, 'ログインパスワード入力').waitFor();
  // The served file keeps the credit union's software keyboard on; type on the real one.
  await page.getByRole('checkbox', { name: 'キーボードで入力する', exact: true }).click();
  await typeInto(page, 'ログインパスワード', 'Pw-origin-1!');
  await button(page, '認証').click();
  await button(page, 'ログアウト').waitFor();
});

test('a page opened at an origin the server does not admit says the service is misconfigured', testTimeout, async (t) => {
  // The same server under another name for the same address: https://127.0.0.1:PORT.
  const elsewhere = server.appUrl.replace('//localhost:', '//127.0.0.1:');
  const { page } = await server.openPage(browser, t, { pageConfig: null, url: elsewhere });
  await waitForScreen(page, 'error_configuration');
  await screenText(page, misconfigured).waitFor();
  // The detail names both origins, for whoever the customer calls.
  await screenText(page, `this page was opened at ${new URL(elsewhere).origin}, but the service admits only ${new URL(server.appUrl).origin}`).waitFor();
  assert.equal(await screenText(page, 'サーバーに接続できませんでした').count(), 0);
  await saveScreen(page, 'config-origin-mismatch');
});

test('a certificate origin that answers but refuses the page is misconfiguration, not the network', testTimeout, async (t) => {
  // A page hosted elsewhere with a config.json that does not know the admitted origin: the
  // first request to the certificate origin is refused by CORS.
  const elsewhere = server.appUrl.replace('//localhost:', '//127.0.0.1:');
  const hosted = { ...server.config };
  delete hosted.app_origin;
  const { page } = await server.openPage(browser, t, { pageConfig: hosted, url: elsewhere });
  await waitForScreen(page, 'login');
  await button(page, '電子証明書ログイン').click();
  const before = await screenState(page);
  await button(page, 'OK').click();
  await waitForNextScreen(page, before, 'error_configuration');
  await screenText(page, misconfigured).waitFor();
  await screenText(page, `${server.certOrigin} answered but refused requests from ${new URL(elsewhere).origin}`).waitFor();
  await saveScreen(page, 'config-cors-refused');
});
