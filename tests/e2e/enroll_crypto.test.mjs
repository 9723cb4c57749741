// The browser's certificate module (web/enroll, loaded by web/loader.js on first use) in headless
// Chromium, checked by the tools a customer's system would use on its output: the certification
// request verifies in openssl with the key it carries; the PKCS#12 file opens in openssl with the
// import password (PBES2 / PBKDF2 / AES-256-CBC, SHA-256 MAC; no RC2, 3DES or SHA-1), imports
// into a fresh NSS database (Firefox's and Chromium's store on Linux) with its CA, and refuses a
// wrong password. The module is not fetched by the first screen, and only once when used.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { distDir } from './lib/paths.mjs';
import { startStaticServer } from './lib/static_server.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { onCleanup, runCleanup } from './lib/cleanup.mjs';
import { openApp, waitForFirstFrame } from './lib/app.mjs';
import { makeOtherCa } from './lib/certs.mjs';

const run = promisify(execFile);
const testTimeout = { timeout: 120_000 };
// A password with non-ASCII characters: PBES2 takes it as UTF-8 bytes, the MAC as BMPString.
const importPassword = 'Import-パス-2026';

let server;
let browser;
let dir;
let ca;

// The CA a bank would sign with, made by openssl: the module never sees its key.
async function makeCa() {
  const made = await makeOtherCa(dir, { cn: 'Test Client CA' });
  const der = path.join(dir, 'ca.der');
  await run('openssl', ['x509', '-in', made.certPath, '-outform', 'DER', '-out', der]);
  return { ...made, der: fs.readFileSync(der) };
}

// Signs the request `csrDer` as a client certificate for `cn`; returns the certificate's DER.
async function signRequest(csrDer, cn) {
  const csr = path.join(dir, `${cn}.csr`);
  fs.writeFileSync(csr, csrDer);
  const ext = path.join(dir, 'ext.cnf');
  fs.writeFileSync(ext, 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  const cert = path.join(dir, `${cn}.der`);
  // x509 -req certifies the request's own key; -subj replaces the empty subject the module
  // writes, as the server does.
  await run('openssl', ['x509', '-req', '-inform', 'DER', '-in', csr, '-CA', ca.certPath, '-CAkey', ca.keyPath,
    '-set_serial', '0x1234', '-days', '7', '-sha256', '-subj', `/CN=${cn}`, '-extfile', ext, '-outform', 'DER',
    '-out', cert]);
  return fs.readFileSync(cert);
}

// Every request for the module's bundle (enroll.<hash>.js) the page makes.
function countModuleFetches(page) {
  const seen = [];
  page.on('request', (request) => {
    if (/\/enroll\.[0-9a-f]{12}\.js$/.test(new URL(request.url()).pathname)) seen.push(request.url());
  });
  return seen;
}

before(async () => {
  assert.ok(fs.existsSync(path.join(distDir, 'index.html')),
    `${distDir}/index.html is missing: build the web app first (scripts/build web)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibank-enroll-crypto-'));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  ca = await makeCa();
  server = await startStaticServer(distDir);
  onCleanup(server.stop);
  browser = await launchBrowser();
});
after(runCleanup);

test('the first screen does not download the certificate module', testTimeout, async (t) => {
  let fetches;
  const { page } = await openApp(browser, server.url, { t, setup: (context, p) => { fetches = countModuleFetches(p); } });
  await waitForFirstFrame(page);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(fetches, [], 'the module was fetched before any certificate screen needed it');
  const published = fs.readdirSync(distDir).filter((n) => /^enroll\.[0-9a-f]{12}\.js$/.test(n));
  assert.equal(published.length, 1, `build/dist holds ${published.length} module bundles`);
  assert.ok(fs.existsSync(path.join(distDir, published[0] + '.br')), 'the module has no brotli sibling');
});

test('key pair, request and file: openssl and NSS accept them, a wrong password opens nothing', testTimeout, async (t) => {
  let fetches;
  const { page, consoleLines } = await openApp(browser, server.url, { t, setup: (context, p) => { fetches = countModuleFetches(p); } });
  t.after(() => { if (consoleLines.length) t.diagnostic(consoleLines.join('\n')); });
  await waitForFirstFrame(page);

  // The request, as certificate_bridge.cpp asks for it.
  const csrBase64 = await page.evaluate(async () => {
    const m = await window.Module[window.ibankContract.certificateModule]();
    window.__keyPair = await m.generateKeyPair();
    const der = new Uint8Array(await m.buildCertificationRequest(window.__keyPair));
    return btoa(String.fromCharCode(...der));
  });
  const csrDer = Buffer.from(csrBase64, 'base64');
  const csrPath = path.join(dir, 'request.der');
  fs.writeFileSync(csrPath, csrDer);
  const verified = await run('openssl', ['req', '-inform', 'DER', '-in', csrPath, '-verify', '-noout', '-text']);
  assert.match(verified.stdout + verified.stderr, /verify OK|Certificate request self-signature verify OK/,
    'openssl could not verify the request with its own key');
  assert.match(verified.stdout, /Public-Key: \(2048 bit\)/, 'the key is not RSA 2048');
  assert.match(verified.stdout, /Signature Algorithm: sha256WithRSAEncryption/, 'the request is not signed with SHA-256');

  // The file, from the certificate a CA issued for that request.
  const certificateDer = await signRequest(csrDer, 'TESTUSER01');
  const started = Date.now();
  const fileBase64 = await page.evaluate(async ({ cert, chain, password }) => {
    const m = await window.Module[window.ibankContract.certificateModule]();
    const der = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const passwordBytes = new TextEncoder().encode(password);
    const file = new Uint8Array(await m.buildPkcs12({
      keyPair: window.__keyPair, certificateDer: der(cert), chainDer: [der(chain)],
      password: passwordBytes, friendlyName: 'TESTUSER011399',
    }));
    let binary = '';
    for (const b of file) binary += String.fromCharCode(b);
    return btoa(binary);
  }, { cert: certificateDer.toString('base64'), chain: ca.der.toString('base64'), password: importPassword });
  t.diagnostic(`the PKCS#12 file took ${Date.now() - started} ms in headless Chromium`);
  const p12 = path.join(dir, 'TESTUSER011399.p12');
  fs.writeFileSync(p12, Buffer.from(fileBase64, 'base64'));
  assert.equal(fetches.length, 1, `the module was fetched ${fetches.length} times for two uses`);

  // openssl: the structure and the algorithms, then the contents with the right password.
  const info = await run('openssl', ['pkcs12', '-info', '-in', p12, '-noout', '-passin', `pass:${importPassword}`]);
  const described = info.stdout + info.stderr;
  assert.match(described, /MAC: sha256/, `the MAC is not SHA-256:\n${described}`);
  assert.match(described, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/, `the key bag is not PBES2/AES-256:\n${described}`);
  assert.match(described, /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC/, `the certificates are not PBES2/AES-256:\n${described}`);
  assert.doesNotMatch(described, /RC2|3DES|DES-EDE|sha1/i, `a weak algorithm is in the file:\n${described}`);
  // Every key derivation at the module's work factor, PBKDF2 with HMAC-SHA256.
  const iterations = [...described.matchAll(/Iteration (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(iterations.length, 3, `expected the MAC and two bags to name their iterations:\n${described}`);
  assert.ok(iterations.every((n) => n >= 600_000), `a key derivation is cheaper than 600,000 iterations: ${iterations}`);
  assert.equal([...described.matchAll(/PRF hmacWithSHA256/g)].length, 2, `PBKDF2 is not HMAC-SHA256 in both bags:\n${described}`);
  t.diagnostic(described.trim());
  const contents = await run('openssl', ['pkcs12', '-in', p12, '-nodes', '-passin', `pass:${importPassword}`]);
  assert.match(contents.stdout, /friendlyName: TESTUSER011399/, 'the certificate has no friendly name');
  assert.match(contents.stdout, /subject=CN ?= ?TESTUSER01/, 'the customer certificate is missing');
  assert.match(contents.stdout, /subject=CN ?= ?Test Client CA/, 'the CA certificate is missing');
  assert.match(contents.stdout, /BEGIN PRIVATE KEY/, 'the private key is missing');
  // The key in the file is the request's key: the certificate and the key match.
  const keyPem = contents.stdout.slice(contents.stdout.indexOf('-----BEGIN PRIVATE KEY-----'),
    contents.stdout.indexOf('-----END PRIVATE KEY-----') + '-----END PRIVATE KEY-----'.length);
  const keyPath = path.join(dir, 'key.pem');
  fs.writeFileSync(keyPath, keyPem + '\n', { mode: 0o600 });
  const fromKey = await run('openssl', ['rsa', '-in', keyPath, '-noout', '-modulus']);
  const certPath = path.join(dir, 'TESTUSER01.der');
  const fromCert = await run('openssl', ['x509', '-inform', 'DER', '-in', certPath, '-noout', '-modulus']);
  assert.equal(fromKey.stdout.trim(), fromCert.stdout.trim(), 'the key in the file does not belong to its certificate');

  // A wrong password opens nothing.
  await assert.rejects(run('openssl', ['pkcs12', '-info', '-in', p12, '-noout', '-passin', 'pass:wrong-password']),
    'openssl opened the file with a wrong password');

  // NSS: imports the key and certificate into a new database.
  const nssdb = path.join(dir, 'nssdb');
  fs.mkdirSync(nssdb);
  await run('certutil', ['-N', '-d', `sql:${nssdb}`, '--empty-password']);
  await assert.rejects(run('pk12util', ['-i', p12, '-d', `sql:${nssdb}`, '-W', 'wrong-password']),
    'NSS imported the file with a wrong password');
  await run('pk12util', ['-i', p12, '-d', `sql:${nssdb}`, '-W', importPassword]);
  const listed = await run('certutil', ['-L', '-d', `sql:${nssdb}`]);
  assert.match(listed.stdout, /TESTUSER011399\s+u,u,u/, `NSS holds no user certificate with its key:\n${listed.stdout}`);
  const keys = await run('certutil', ['-K', '-d', `sql:${nssdb}`]);
  assert.match(keys.stdout, /rsa/, `NSS holds no private key:\n${keys.stdout}`);
});

test('an empty import password is refused by the module, not written into a file', testTimeout, async (t) => {
  const { page } = await openApp(browser, server.url, { t });
  await waitForFirstFrame(page);
  const outcome = await page.evaluate(async () => {
    const m = await window.Module[window.ibankContract.certificateModule]();
    const keyPair = await m.generateKeyPair();
    try {
      await m.buildPkcs12({ keyPair, certificateDer: new Uint8Array(8), chainDer: [], password: new Uint8Array(0) });
      return 'built';
    } catch (e) {
      return 'refused';
    }
  });
  assert.equal(outcome, 'refused');
});
