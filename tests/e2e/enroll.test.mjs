// 電子証明書取得 and 更新 as a customer does them, against the real reference server over real TLS
// in headless Chromium: the key is made in the browser, the server issues the certificate, the
// browser saves the PKCS#12 file, and that very file (Playwright's clientCertificates with
// pfxPath) then logs in. Every refusal - a wrong, used, expired or locked 取得用パスワード, a
// request the server will not sign - shows its own explanation with a way forward.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser } from './lib/browser.mjs';
import { runCleanup } from './lib/cleanup.mjs';
import { startIbgate, institution } from './lib/ibgate.mjs';
import { saveScreen } from './lib/artifacts.mjs';
import { button, heading, textbox, typeInto, screenText, screenState, waitForNextScreen, waitForScreen } from './lib/screens.mjs';

const run = promisify(execFile);
const testTimeout = { timeout: 180_000 };
const importPassword = 'Import-2026-pass';

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  // Behind the proxy too when tests/proxy/run asks for it (IBGATE_E2E_PROXY).
  server = await startIbgate();
});
after(runCleanup);

const newUser = () => server.newUser('enroll', { certificate: false });

// A customer without a certificate, on the login screen.
const openWithoutCertificate = (t) =>
  server.openPage(browser, t, { contextOptions: { acceptDownloads: true } });

// A customer whose browser holds the certificate file `pfxPath` (imported with `importPassword`).
const openWithFile = (t, pfxPath) =>
  server.openPage(browser, t, {
    clientCertificates: [{ origin: server.certOrigin, pfxPath, passphrase: importPassword }],
    contextOptions: { acceptDownloads: true },
  });

async function clearField(page, field) {
  await textbox(page, field).click();
  await page.keyboard.press('End');
  for (let i = 0; i < 40; i++) await page.keyboard.press('Backspace');
}

// 電子証明書取得 → ID and 取得用パスワード → 次へ. The key pair is made when the screen opens; if it
// is not ready yet the screen says so and 次へ is pressed again, as the notice asks.
async function submitEnrollment(page, id, code, nextScreen) {
  await button(page, '電子証明書取得').click();
  await waitForScreen(page, 'enroll_entry');
  await typeInto(page, 'ID', id);
  await typeInto(page, '取得用パスワード', code);
  const preparing = screenText(page, '鍵を作成しています。');
  for (let attempt = 0; ; attempt++) {
    const before = await screenState(page);
    await button(page, '次へ').click();
    const outcome = await Promise.race([
      waitForNextScreen(page, before, nextScreen).then(() => 'next'),
      preparing.waitFor({ timeout: 30_000 }).then(() => 'preparing'),
      screenText(page, 'IDまたは取得用パスワードが正しくありません。').waitFor({ timeout: 30_000 }).then(() => 'wrong'),
    ]);
    if (outcome !== 'preparing' || attempt >= 20) return outcome;
    await preparing.waitFor({ state: 'detached', timeout: 30_000 }).catch(() => {});
  }
}

// The import password twice → 保存; resolves to the file the browser saved, under `dir`.
async function saveFile(page, dir) {
  await waitForScreen(page, 'passphrase_entry');
  await typeInto(page, 'インポート用パスワード', importPassword);
  await typeInto(page, 'インポート用パスワード（確認）', importPassword);
  const download = page.waitForEvent('download', { timeout: 60_000 });
  await button(page, '保存').click();
  const file = await download;
  const saved = path.join(dir, file.suggestedFilename());
  await file.saveAs(saved);
  await waitForScreen(page, 'certificate_saved', 60_000);
  return { name: file.suggestedFilename(), path: saved };
}

// Logs in with whatever certificate the page's browser holds; ends on the main screen.
async function login(page, password) {
  await button(page, '電子証明書ログイン').click();
  await button(page, 'OK').click();
  await heading(page, 'ログインパスワード入力').waitFor();
  await typeInto(page, 'ログインパスワード', password);
  await button(page, '認証').click();
  await button(page, 'ログアウト').waitFor();
}

async function logout(page) {
  await button(page, 'ログアウト').click();
  await heading(page, 'ログアウト完了').waitFor();
}

// The certificate in a saved file, as openssl reads it.
async function fileSubject(p12) {
  const { stdout } = await run('openssl', ['pkcs12', '-in', p12, '-nokeys', '-clcerts', '-passin', `pass:${importPassword}`]);
  return stdout;
}

test('取得: the ID and 取得用パスワード give a file that logs in, and the code works only once', testTimeout, async (t) => {
  const user = await newUser();
  const { code } = await server.enrollCode(user.id);
  const { page } = await openWithoutCertificate(t);
  await saveScreen(page, 'enroll-1-login');
  assert.equal(await submitEnrollment(page, user.id, code, 'passphrase_entry'), 'next');
  await saveScreen(page, 'enroll-2-passphrase');

  // A too short and a mistyped import password are caught on the page, before any file is made.
  await typeInto(page, 'インポート用パスワード', 'short');
  await typeInto(page, 'インポート用パスワード（確認）', 'short');
  await button(page, '保存').click();
  await screenText(page, 'インポート用パスワードは8文字以上で入力してください。').waitFor();
  await clearField(page, 'インポート用パスワード');
  await clearField(page, 'インポート用パスワード（確認）');
  await typeInto(page, 'インポート用パスワード', importPassword);
  await typeInto(page, 'インポート用パスワード（確認）', importPassword + 'x');
  await button(page, '保存').click();
  await screenText(page, '2つのインポート用パスワードが一致しません。').waitFor();
  await clearField(page, 'インポート用パスワード');
  await clearField(page, 'インポート用パスワード（確認）');

  const file = await saveFile(page, server.dir);
  assert.equal(file.name, `${user.id}${institution.code}.p12`);
  await screenText(page, `保存したファイル：${file.name}`).waitFor();
  // Chromium on Linux: the general guide (Windows, macOS and Firefox have their own).
  await screenText(page, 'お使いのブラウザまたはOSの証明書の設定で').waitFor();
  await saveScreen(page, 'enroll-3-saved');
  assert.match(await fileSubject(file.path), new RegExp(`subject=.*CN = ${user.id}${institution.code}\\n`));

  // もう一度保存 hands the same file to the browser again (the key exists nowhere else).
  const again = page.waitForEvent('download', { timeout: 30_000 });
  await button(page, 'もう一度保存').click();
  const second = await again;
  const secondPath = path.join(server.dir, 'again-' + second.suggestedFilename());
  await second.saveAs(secondPath);
  assert.deepEqual(fs.readFileSync(secondPath), fs.readFileSync(file.path), 'もう一度保存 saved a different file');

  // The browser that imported the file logs in with it.
  const imported = await openWithFile(t, file.path);
  await login(imported.page, user.password);
  await saveScreen(imported.page, 'enroll-4-main-with-new-certificate');
  await logout(imported.page);

  // The code gave its certificate: a second use is explained, not silently refused.
  const reuse = await openWithoutCertificate(t);
  assert.equal(await submitEnrollment(reuse.page, user.id, code, 'error_enrollment_code_used'), 'next');
  await screenText(reuse.page, 'この取得用パスワードはすでに使用されています。').waitFor();
  await saveScreen(reuse.page, 'enroll-5-code-used');
  await button(reuse.page, 'ログイン画面へ戻る').click();
  await waitForScreen(reuse.page, 'login');

  // The operator sees the enrollment in the audit log.
  const audit = (await server.ibgate(['audit', '--user', user.id, '--json'])).trim().split('\n').map((l) => JSON.parse(l));
  const enrollments = audit.filter((e) => e.event === 'enroll').map((e) => e.result).sort();
  assert.deepEqual(enrollments, ['enrollment_code_used', 'success'], `the audit log's enrollments: ${JSON.stringify(audit)}`);
});

test('a wrong 取得用パスワード says how many tries are left, then locks the code', testTimeout, async (t) => {
  const user = await newUser();
  const { code } = await server.enrollCode(user.id);
  const { page } = await openWithoutCertificate(t);
  assert.equal(await submitEnrollment(page, user.id, 'WRONG-CODE-1', 'passphrase_entry'), 'wrong');
  await screenText(page, 'あと4回誤ると').waitFor();
  await saveScreen(page, 'enroll-wrong-code');
  // The ID stays; only the code is typed again.
  for (let left = 3; left >= 1; left--) {
    await clearField(page, '取得用パスワード');
    await typeInto(page, '取得用パスワード', 'WRONG-CODE-' + left);
    await button(page, '次へ').click();
    await screenText(page, `あと${left}回誤ると`).waitFor();
  }
  await clearField(page, '取得用パスワード');
  await typeInto(page, '取得用パスワード', 'WRONG-CODE-0');
  const before = await screenState(page);
  await button(page, '次へ').click();
  await waitForNextScreen(page, before, 'error_enrollment_locked');
  await screenText(page, '取得用パスワードを規定の回数以上誤ったため').waitFor();
  await saveScreen(page, 'enroll-locked');

  // Locked means locked: the right code no longer works either.
  const retry = await openWithoutCertificate(t);
  assert.equal(await submitEnrollment(retry.page, user.id, code, 'error_enrollment_locked'), 'next');
});

test('an expired 取得用パスワード is explained', testTimeout, async (t) => {
  // A server of its own whose clock the test moves past the code's end.
  const clocked = await startIbgate({ t, testClock: true });
  const id = 'expiring1';
  await clocked.addUser(id, 'Pw-expiring-1!');
  const { code } = await clocked.enrollCode(id, { validDays: 1 });
  await clocked.advanceClock(2 * 86_400);
  const { page } = await clocked.openPage(browser, t);
  assert.equal(await submitEnrollment(page, id, code, 'error_enrollment_code_expired'), 'next');
  await screenText(page, '取得用パスワードの有効期限が過ぎています。').waitFor();
  await saveScreen(page, 'enroll-code-expired');
});

// Requests the server must not sign, put in place of the browser's own on the way out.
async function makeRequest(dir, name, { bits = 2048, cn }) {
  const key = path.join(dir, `${name}.key`);
  const der = path.join(dir, `${name}.csr`);
  await run('openssl', ['req', '-new', '-newkey', `rsa:${bits}`, '-nodes', '-keyout', key, '-subj', `/CN=${cn}`,
    '-outform', 'DER', '-out', der]);
  return fs.readFileSync(der).toString('base64');
}

// A request that carries one public key and is signed by another: no proof of possession.
async function requestSignedByAnotherKey(cn) {
  const pkijs = await import('pkijs');
  const asn1js = await import('asn1js');
  const rsa = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  const claimed = await crypto.subtle.generateKey(rsa, true, ['sign', 'verify']);
  const signer = await crypto.subtle.generateKey(rsa, true, ['sign', 'verify']);
  const request = new pkijs.CertificationRequest();
  request.subject.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: cn }) }));
  await request.subjectPublicKeyInfo.importKey(claimed.publicKey);
  await request.sign(signer.privateKey, 'SHA-256');
  return Buffer.from(request.toSchema().toBER(false)).toString('base64');
}

test('a request the server will not sign says why, and leaves the 取得用パスワード usable', testTimeout, async (t) => {
  const user = await newUser();
  const other = await newUser();
  const { code } = await server.enrollCode(user.id);
  const cn = `${user.id}${institution.code}`;
  const cases = [
    { what: 'a 1024-bit key', csr: await makeRequest(server.dir, 'weak', { bits: 1024, cn }),
      text: 'このブラウザが作成した鍵は短すぎるため' },
    { what: 'another customer\'s name', csr: await makeRequest(server.dir, 'other', { cn: `${other.id}${institution.code}` }),
      text: '電子証明書の申請内容が入力されたIDと一致しないため' },
    { what: 'a signature by another key', csr: await requestSignedByAnotherKey(cn),
      text: '申請の署名を確認できません' },
  ];
  for (const c of cases) {
    const { context, page } = await openWithoutCertificate(t);
    await context.route('**/api/v1/certificate/enroll', (route) => {
      const body = JSON.parse(route.request().postData());
      body.csr = c.csr;
      return route.continue({ postData: JSON.stringify(body) });
    });
    assert.equal(await submitEnrollment(page, user.id, code, 'error_certificate_request'), 'next', c.what);
    await screenText(page, c.text).waitFor();
    assert.equal(await screenText(page, '取得用パスワードは使われていません。').count(), 1, c.what);
    await saveScreen(page, `enroll-refused-${c.what.replace(/[^a-z0-9]+/gi, '-')}`);
  }
  // The code was not spent: the browser's own request gets the certificate.
  const { page } = await openWithoutCertificate(t);
  assert.equal(await submitEnrollment(page, user.id, code, 'passphrase_entry'), 'next');
  const file = await saveFile(page, server.dir);
  assert.equal(file.name, `${cn}.p12`);
});

test('更新: the main screen renews a certificate near its end; the first login with the new one retires the old', testTimeout, async (t) => {
  const user = await newUser();
  const old = await server.issueCert(user.id, { days: 20 });
  // A customer on Windows: the import guide is the one for Windows' certificate store.
  const windowsChrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
  const first = await server.openPage(browser, t, { clientCertificates: old.clientCertificates,
                                                    contextOptions: { acceptDownloads: true, userAgent: windowsChrome } });
  await login(first.page, user.password);
  await renewFromMain(first.page);
  const file = await saveFile(first.page, server.dir);
  assert.equal(file.name, `${user.id}${institution.code}.p12`);
  await screenText(first.page, '新しい電子証明書は、次回のログインから使えます。').waitFor();
  await screenText(first.page, '「証明書のインポート ウィザード」が開きます。').waitFor();
  await saveScreen(first.page, 'renew-2-saved');
  await button(first.page, 'メイン画面へ戻る').click();
  await waitForScreen(first.page, 'main');
  await logout(first.page);

  // Until the new certificate is used, the old one still logs in (the import may have failed).
  const stillOld = await server.openPage(browser, t, { clientCertificates: old.clientCertificates });
  await login(stillOld.page, user.password);
  await logout(stillOld.page);

  const renewed = await openWithFile(t, file.path);
  await login(renewed.page, user.password);
  // The new certificate is far from its end: no renewal offered.
  assert.equal(await button(renewed.page, '電子証明書を更新').count(), 0);
  await logout(renewed.page);

  // Now the old certificate is revoked (superseded) and says so.
  const retired = await server.openPage(browser, t, { clientCertificates: old.clientCertificates });
  await button(retired.page, '電子証明書ログイン').click();
  const before = await screenState(retired.page);
  await button(retired.page, 'OK').click();
  await waitForNextScreen(retired.page, before, 'error_certificate_revoked');
  await saveScreen(retired.page, 'renew-3-old-certificate-revoked');
});

// 電子証明書を更新 on the main screen, after the page has shown the certificate's end date.
async function renewFromMain(page) {
  await screenText(page, '電子証明書の更新期間です。').waitFor();
  await screenText(page, /^電子証明書の有効期限：/).waitFor();
  await saveScreen(page, 'renew-1-main');
  const before = await screenState(page);
  await button(page, '電子証明書を更新').click();
  await waitForNextScreen(page, before, 'passphrase_entry');
}
