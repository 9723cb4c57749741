// The same deployment behind HAProxy (scripts/cluster.d/haproxy.cfg.in): the page's login and
// logout in headless Chromium with a real client certificate, an expired certificate explained
// by the page (HAProxy lets it through, ibgate decides), and forged headers that never count.
// Run by tests/proxy/run (under scripts/pg run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser } from '../e2e/lib/browser.mjs';
import { runCleanup } from '../e2e/lib/cleanup.mjs';
import { startIbgate, institution } from '../e2e/lib/ibgate.mjs';
import { makeClientCert, caDate } from '../e2e/lib/certs.mjs';
import { saveScreen } from '../e2e/lib/artifacts.mjs';
import { api, addUser, assertOk, describe, haproxyForm, nginxForm, kPassword, sessionsOf, waitForInstanceOf } from './client.mjs';

const testTimeout = { timeout: 120_000 };
const kInstances = 2;
let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startIbgate({ proxy: 'haproxy', instances: kInstances });
});
after(runCleanup);

const button = (page, name) => page.getByRole('button', { name, exact: true });
const heading = (page, name) => page.getByRole('heading', { name, exact: true });

test('through HAProxy: certificate and password lead to the main screen, and ログアウト ends the session', testTimeout, async (t) => {
  const user = await addUser(server, 'hap01');
  const { page } = await server.openPage(browser, t, { clientCertificates: user.clientCertificates });
  await button(page, '電子証明書ログイン').click();
  await button(page, 'OK').click();
  await heading(page, 'ログインパスワード入力').waitFor();
  await page.getByRole('textbox', { name: 'ログインパスワード' }).click();
  await page.keyboard.type(kPassword);
  await button(page, '認証').click();
  await button(page, 'ログアウト').waitFor();
  await saveScreen(page, 'proxy-haproxy-main');
  assert.equal(sessionsOf(await server.ibgate(['session', 'list']), user.id).length, 1);
  await button(page, 'ログアウト').click();
  await heading(page, 'ログアウト完了').waitFor();
  assert.equal(sessionsOf(await server.ibgate(['session', 'list']), user.id).length, 0);
});

test('through HAProxy: an expired certificate is explained by the page', testTimeout, async (t) => {
  await server.addUser('hap02', 'Hap-Secret-2');
  const ownCa = { certPath: path.join(server.data, 'pki/ca.pem'), keyPath: path.join(server.data, 'pki/ca.key') };
  const cert = await makeClientCert(path.join(server.dir, 'expired'), ownCa,
    { cn: `hap02${institution.code}`, start: caDate(-60), end: caDate(-1) });
  const clientCertificates = [{ origin: server.certOrigin, certPath: cert.certPath, keyPath: cert.keyPath }];
  const { page } = await server.openPage(browser, t, { clientCertificates });
  await button(page, '電子証明書ログイン').click();
  await button(page, 'OK').click();
  await page.getByRole('alert').filter({ hasText: '有効期限が切れています' }).waitFor();
  await saveScreen(page, 'proxy-haproxy-cert-expired');
});

test('through HAProxy: a forged X-Client-Cert or X-Forwarded-For never counts', testTimeout, async () => {
  const victim = await addUser(server, 'hapvictim');
  const attacker = await addUser(server, 'hapattacker');
  const viaProxy = api(server);
  for (const value of [haproxyForm(victim.pem), nginxForm(victim.pem)]) {
    assert.equal(describe(await viaProxy.identify(null, { headers: { 'X-Client-Cert': value } })), '401 no_certificate');
  }
  const from = '127.0.0.3';
  const forged = { 'X-Client-Cert': haproxyForm(victim.pem), 'X-Forwarded-For': '203.0.113.9' };
  const login = await viaProxy.fullLogin(attacker, kPassword, { headers: forged, localAddress: from });
  assertOk(login, 'login with a forged header on top of a real certificate');
  assert.equal(login.json.session.user_id, attacker.id);
  assert.equal(login.json.session.recent_logins[0].source_address, from);
  // HAProxy named the request; the instance that answered logged it under that id.
  await waitForInstanceOf(server.cluster, login.requestId);
  assert.deepEqual(sessionsOf(await server.ibgate(['session', 'list']), victim.id), []);

  const app = api(server, Number(new URL(server.appUrl).port));
  assertOk(await app.call({ method: 'GET', target: '/index.html', headers: { 'X-Client-Cert': haproxyForm(victim.pem) } }),
    'app origin with a forged header');
});
