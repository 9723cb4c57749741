// When the credit union cannot check whether certificates are revoked (README "Revocation"),
// ibgate refuses certificate logins with revocation_unavailable (fail closed). The customer
// must read that the fault is on the credit union's side, not their certificate's, and have a
// way forward: 再試行 asks again, ログイン画面へ戻る goes back. Two causes, each with a server
// of its own:
// - a CRL past its nextUpdate. `ibgate cert crl` only writes CRLs valid from now (1 to 365
//   days) and ibgate has no clock override, so the stale CRL is written the way a forgotten
//   cron job leaves one: with the client CA's key and `openssl ca -gencrl`, dated in the past.
//   The running server re-reads pki/crl.pem whenever the file's modification time changes
//   (cert_check.cpp, refresh_locked), so after the operator's `ibgate cert crl` the same
//   server, without a restart, lets the same customer in on 再試行.
// - an OCSP responder nobody listens for (`--ocsp-url` to a closed loopback port; fail closed
//   is the default). Its recovery is not shown here: after a failed exchange ibgate asks no
//   responder for 10 s, and a real responder is the native tests' business.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser } from './lib/browser.mjs';
import { runCleanup } from './lib/cleanup.mjs';
import { startIbgate, freePort } from './lib/ibgate.mjs';
import { caDate } from './lib/certs.mjs';
import { saveScreen } from './lib/artifacts.mjs';
import { repoRoot } from './lib/paths.mjs';

const run = promisify(execFile);
const testTimeout = { timeout: 120_000 };
let browser;

before(async () => {
  browser = await launchBrowser();
});
after(runCleanup);

// The Japanese text of a UI string, as src/core/ui_strings.inc defines it for the page.
function uiString(id) {
  const source = fs.readFileSync(path.join(repoRoot, 'src/core/ui_strings.inc'), 'utf8');
  const found = source.match(new RegExp(`UI_STRING\\(${id},\\s*"((?:[^"\\\\]|\\\\.)*)"`));
  if (!found) throw new Error(`no UI string ${id} in src/core/ui_strings.inc`);
  return JSON.parse(`"${found[1]}"`);
}
const revocationUnavailableText = uiString('error_revocation_unavailable');

// Replaces the server's CRL (atomically, like ibgate does) with one signed by the client CA
// whose thisUpdate is two days and nextUpdate one day ago.
async function writeStaleCrl(server) {
  const pki = path.join(server.dir, 'data/pki');
  const work = fs.mkdtempSync(path.join(server.dir, 'stale-crl-'));
  fs.writeFileSync(path.join(work, 'index.txt'), '');
  fs.writeFileSync(path.join(work, 'ca.cnf'),
    ['[ca]', 'default_ca = test', '[test]', `database = ${work}/index.txt`, 'default_md = sha256', ''].join('\n'));
  const out = path.join(work, 'crl.pem');
  await run('openssl', ['ca', '-gencrl', '-batch', '-config', path.join(work, 'ca.cnf'),
    '-cert', path.join(pki, 'ca.pem'), '-keyfile', path.join(pki, 'ca.key'),
    '-crl_lastupdate', caDate(-2), '-crl_nextupdate', caDate(-1), '-out', out]);
  fs.renameSync(out, path.join(pki, 'crl.pem'));
}

// The audit log's refused identifications of `user` for want of revocation data: their details.
async function revocationRefusals(server, user) {
  const lines = (await server.ibgate(['audit', '--user', user, '--json'])).split('\n').filter(Boolean);
  return lines.map((line) => JSON.parse(line))
    .filter((r) => r.event === 'identify' && r.result === 'revocation_unavailable')
    .map((r) => r.detail);
}

const screenSerial = (page) => page.evaluate(() => Number(document.getElementById('semantics').dataset.screenSerial));

// Waits until the app shows core's screen `name`, entered after screen serial `after`.
async function waitForScreen(page, name, after) {
  await page.waitForFunction(([screen, serial]) => {
    const layer = document.getElementById('semantics');
    return layer.dataset.screen === screen && Number(layer.dataset.screenSerial) > serial;
  }, [name, after], { polling: 50, timeout: 30_000 });
}

// The error screen for revocation_unavailable: its message, word for word, and both ways on.
async function expectRevocationUnavailable(page) {
  const alert = page.getByRole('alert').filter({ hasText: 'お客さまの電子証明書に問題があるわけではありません' });
  await alert.waitFor();
  assert.equal(await page.evaluate(() => document.getElementById('semantics').dataset.screen), 'error_unavailable');
  assert.equal((await alert.textContent()).replace(/\s+/g, ''), revocationUnavailableText.replace(/\s+/g, ''));
  // Not the certificate's fault, so none of the certificate messages and no password field.
  assert.equal(await page.getByRole('alert').count(), 1);
  assert.equal(await page.getByRole('textbox', { name: 'ログインパスワード' }).count(), 0);
  await page.getByRole('button', { name: '再試行' }).waitFor();
  await page.getByRole('button', { name: 'ログイン画面へ戻る' }).waitFor();
}

async function startCertificateLogin(page) {
  await page.getByRole('button', { name: '電子証明書ログイン' }).click();
  await page.getByRole('button', { name: 'OK' }).click();
}

test('a CRL past its nextUpdate: the customer reads why and retries; after `ibgate cert crl` the same server lets them in', testTimeout, async (t) => {
  const server = await startIbgate({ t });
  await server.addUser('crl01', 'Crl-Secret-1');
  const issued = await server.issueCert('crl01');
  await writeStaleCrl(server);

  const { page } = await server.openPage(browser, t, { clientCertificates: issued.clientCertificates });
  await startCertificateLogin(page);
  await expectRevocationUnavailable(page);
  await saveScreen(page, 'revocation-crl-stale');
  // The refusal was the stale CRL's, not another check's.
  assert.deepEqual(await revocationRefusals(server, 'crl01'), ['CRL stale']);

  // 再試行 while the CRL is still stale asks the server again and gets the same answer.
  const serial = await screenSerial(page);
  await page.getByRole('button', { name: '再試行' }).click();
  await waitForScreen(page, 'error_unavailable', serial);
  await expectRevocationUnavailable(page);
  assert.deepEqual(await revocationRefusals(server, 'crl01'), ['CRL stale', 'CRL stale']);

  // The operator writes a fresh CRL; the server keeps running and picks it up.
  await server.ibgate(['cert', 'crl']);
  await page.getByRole('button', { name: '再試行' }).click();
  await page.getByRole('textbox', { name: 'ログインパスワード' }).click();
  await page.keyboard.type('Crl-Secret-1');
  await page.getByRole('button', { name: '認証', exact: true }).click();
  await page.getByRole('button', { name: 'ログアウト' }).waitFor();
  assert.equal((await revocationRefusals(server, 'crl01')).length, 2);
});

test('an OCSP responder that cannot be reached (fail closed): the same explanation, and back to the login screen', testTimeout, async (t) => {
  // Nothing listens on the port: the connection is refused, and retried until the timeout.
  const closedPort = await freePort();
  const server = await startIbgate({ t, serveArgs: ['--ocsp-url', `http://127.0.0.1:${closedPort}/`, '--ocsp-timeout', '1'] });
  await server.addUser('ocsp01', 'Ocsp-Secret-1');
  const issued = await server.issueCert('ocsp01');

  const { page } = await server.openPage(browser, t, { clientCertificates: issued.clientCertificates });
  await startCertificateLogin(page);
  await expectRevocationUnavailable(page);
  await saveScreen(page, 'revocation-ocsp-unreachable');
  const refusals = await revocationRefusals(server, 'ocsp01');
  assert.equal(refusals.length, 1);
  assert.match(refusals[0], /^no answer: /);   // the responder's silence, not the (fresh) CRL

  await page.getByRole('button', { name: 'ログイン画面へ戻る' }).click();
  await page.getByRole('button', { name: '電子証明書ログイン' }).waitFor();
  assert.equal(await page.getByRole('alert').count(), 0);
});
