// ④ Every certificate problem gets its own message and a way back, with real certificates over
// real TLS; ⑧ a server stopped mid-flow gives a clear error with retry, and the customer gets
// through once it is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser } from './lib/browser.mjs';
import { runCleanup } from './lib/cleanup.mjs';
import { startIbgate, institution } from './lib/ibgate.mjs';
import { makeOtherCa, makeClientCert, caDate } from './lib/certs.mjs';
import { saveScreen } from './lib/artifacts.mjs';

const testTimeout = { timeout: 120_000 };
let browser;
let server;
let ownCa;
let otherCa;

before(async () => {
  browser = await launchBrowser();
  server = await startIbgate();
  ownCa = { certPath: path.join(server.dir, 'data/pki/ca.pem'), keyPath: path.join(server.dir, 'data/pki/ca.key') };
  otherCa = await makeOtherCa(path.join(server.dir, 'other'));
  await server.addUser('cert01', 'Cert-Secret-1');
});
after(runCleanup);

async function openWith(t, cert) {
  const clientCertificates = [{ origin: server.certOrigin, certPath: cert.certPath, keyPath: cert.keyPath }];
  return (await server.openPage(browser, t, { clientCertificates })).page;
}

async function expectRefusal(t, cert, message, shot) {
  const page = await openWith(t, cert);
  await page.getByRole('button', { name: '電子証明書ログイン' }).click();
  await page.getByRole('button', { name: 'OK' }).click();
  await page.getByRole('alert').filter({ hasText: message }).waitFor();
  await saveScreen(page, shot);
  await page.getByRole('button', { name: 'ログイン画面へ戻る' }).click();
  await page.getByRole('button', { name: '電子証明書ログイン' }).waitFor();
}

const dir = (name) => path.join(server.dir, name);

test('an expired certificate', testTimeout, async (t) => {
  const cert = await makeClientCert(dir('expired'), ownCa, { cn: `cert01${institution.code}`, start: caDate(-60), end: caDate(-1) });
  await expectRefusal(t, cert, '有効期限が切れています', 'cert-expired');
});

test('a certificate not yet valid', testTimeout, async (t) => {
  const cert = await makeClientCert(dir('future'), ownCa, { cn: `cert01${institution.code}`, start: caDate(2), end: caDate(30) });
  await expectRefusal(t, cert, '有効期間がまだ始まっていません', 'cert-not-yet-valid');
});

test('a certificate revoked with the operator command after it was issued', testTimeout, async (t) => {
  const issued = await server.issueCert('cert01');
  await server.ibgate(['cert', 'revoke', issued.fingerprint, '--reason', 'keyCompromise']);
  await expectRefusal(t, issued.clientCertificates[0], '失効しています', 'cert-revoked');
});

test('a certificate issued by another CA', testTimeout, async (t) => {
  const cert = await makeClientCert(dir('other-issued'), otherCa, { cn: `cert01${institution.code}` });
  await expectRefusal(t, cert, '当金庫が発行した電子証明書ではありません', 'cert-unknown-issuer');
});

test('a valid certificate that is not registered', testTimeout, async (t) => {
  const cert = await makeClientCert(dir('unregistered'), ownCa, { cn: `cert01${institution.code}` });
  await expectRefusal(t, cert, '登録されていません', 'cert-not-registered');
});

test('a certificate whose name carries another institution code', testTimeout, async (t) => {
  const cert = await makeClientCert(dir('institution'), ownCa, { cn: 'cert019999' });
  await expectRefusal(t, cert, '金融機関コードが異なります', 'cert-wrong-institution');
});

test('a certificate not made for client authentication', testTimeout, async (t) => {
  const cert = await makeClientCert(dir('usage'), ownCa, { cn: `cert01${institution.code}`, eku: 'serverAuth' });
  await expectRefusal(t, cert, 'ログインに使用できません', 'cert-wrong-usage');
});

test('⑧ the server stops mid-flow: a clear error with retry, and the login goes through once it is back', testTimeout, async (t) => {
  await server.addUser('stop01', 'Stop-Secret-1');
  const issued = await server.issueCert('stop01');
  const page = await openWith(t, issued.clientCertificates[0]);
  await page.getByRole('button', { name: '電子証明書ログイン' }).click();
  await page.getByRole('button', { name: 'OK' }).click();
  await page.getByRole('textbox', { name: 'ログインパスワード' }).click();
  await page.keyboard.type('Stop-Secret-1');

  await server.stop();
  await page.getByRole('button', { name: '認証', exact: true }).click();
  const retry = page.getByRole('button', { name: '再試行' });
  await retry.waitFor();
  assert.match(await page.getByRole('alert').first().textContent(), /サーバーに接続できませんでした|応答がありませんでした/);
  await saveScreen(page, 'server-stopped');

  await server.start();
  await retry.click();
  // The password was wiped with the failed attempt: the customer types it once more.
  await page.getByRole('textbox', { name: 'ログインパスワード' }).click();
  await page.keyboard.type('Stop-Secret-1');
  await page.getByRole('button', { name: '認証', exact: true }).click();
  await page.getByRole('button', { name: 'ログアウト' }).waitFor();
});
