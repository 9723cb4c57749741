// The real reference server for browser tests: a fresh data directory (database and PKI) per
// call, both origins on loopback ports of their own, and the operator command line to add users
// and issue, revoke or unlock - exactly what an operator would run.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, distDir } from './paths.mjs';
import { onCleanup, spawnTracked } from './cleanup.mjs';
import { freePort } from './ports.mjs';
import { waitForFirstFrame } from './app.mjs';
import { createDatabase } from './pgdb.mjs';
import { startProxiedInstances } from './proxy.mjs';

const run = promisify(execFile);
export const ibgateBin = process.env.IBGATE_BIN || path.join(repoRoot, 'build/native/src/server/ibgate');
// The same server with a clock tests move forward (IBGATE_TEST_CLOCK_FILE; src/server/main.cpp).
export const ibgateTestClockBin = path.join(path.dirname(ibgateBin), 'ibgate-test-clock');
export const institution = { code: '1399', name: 'さくら信用金庫' };

export { freePort };

// IBGATE_E2E_PROXY=nginx|haproxy: every startIbgate() is IBGATE_E2E_INSTANCES (3) instances on
// one fresh PostgreSQL database (on $IBGATE_TEST_PG, from scripts/pg run) behind that proxy
// (tests/proxy/run sets it and runs the browser suites so).
export const e2eProxy = process.env.IBGATE_E2E_PROXY || '';
export const e2eInstances = Number(process.env.IBGATE_E2E_INSTANCES || 3);

async function waitForPort(port, exited) {
  const deadline = Date.now() + 15_000;
  let gone = false;
  exited.then(() => { gone = true; });
  while (Date.now() < deadline && !gone) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ibgate did not start listening on ${port}`);
}

// Connects over TLS to 127.0.0.1:`port` as localhost trusting only the PEM file `caPath`;
// resolves to the verification error ('' when the certificate verifies).
function tlsVerifyError(port, caPath) {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: [fs.readFileSync(caPath)],
                                 rejectUnauthorized: false }, () => {
      const error = socket.authorized ? '' : String(socket.authorizationError);
      socket.destroy();
      resolve(error);
    });
    socket.setTimeout(10_000, () => { socket.destroy(); resolve('timeout'); });
    socket.on('error', (e) => resolve(e.message));
  });
}

// Both origins must present a certificate the server CA vouches for and the client CA does
// not: the browser contexts below ignore certificate errors (Playwright's client-certificate
// proxy has the browser do so anyway, and each test's server CA is made after its browser
// starts), so this is where the development PKI's split is checked.
async function checkServerTrust(data, ports) {
  for (const port of ports) {
    const withServerCa = await tlsVerifyError(port, path.join(data, 'pki/server-ca.pem'));
    if (withServerCa) throw new Error(`ibgate on ${port}: not trusted through the server CA: ${withServerCa}`);
    const withClientCa = await tlsVerifyError(port, path.join(data, 'pki/ca.pem'));
    if (!withClientCa) throw new Error(`ibgate on ${port}: the client CA vouches for the server certificate`);
  }
}

// Starts ibgate. Options are `ibgate serve` flags (idleTimeout, maxFailures, ...); `serveArgs`
// are more of them, as on the command line (e.g. ['--ocsp-url', url]). `proxy` ('nginx',
// 'haproxy'; default $IBGATE_E2E_PROXY) starts `instances` instances behind that proxy instead
// of one server (see e2eProxy); the result is the same, with `cluster` (tests/e2e/lib/proxy.mjs)
// for tests that look at the instances themselves.
// `testClock`: a single server (ibgate-test-clock) whose time advanceClock(seconds) moves forward.
// Returns { appUrl, certOrigin, config, ibgate(args, stdin), addUser, newUser, issueCert, enrollCode, advanceClock, stop, start }.
export async function startIbgate({ t = null, idleTimeout = 600, maxFailures = 6, serveArgs = [], proxy = e2eProxy,
                                    instances = e2eInstances, testClock = false } = {}) {
  if (testClock) proxy = '';   // the clock is one process's
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibgate-e2e-'));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }), t);
  const data = path.join(dir, 'data');
  // Behind a proxy: one database for every instance and every operator command (`init
  // --database` records it in the data directory, which they all share).
  const database = proxy ? await createDatabase(t) : null;

  const ibgate = async (args, stdin = null) => {
    const child = run(ibgateBin, ['--dir', data, ...args], { maxBuffer: 4 << 20 });
    if (stdin !== null) {
      child.child.stdin.end(stdin);
    }
    const { stdout } = await child;
    return stdout;
  };
  await ibgate(['init', '--institution-code', institution.code, '--institution-name', institution.name,
                '--hash-cost', 'test', ...(database ? ['--database', database.url] : [])]);

  const appPort = await freePort();
  const certPort = await freePort();
  const appUrl = `https://localhost:${appPort}/`;
  const certOrigin = `https://localhost:${certPort}`;
  let server = null;
  let cluster = null;

  const commonArgs = ['--web-root', distDir, '--app-origin', `https://localhost:${appPort}`, '--cert-origin', certOrigin,
    '--idle-timeout', String(idleTimeout), '--max-failures', String(maxFailures), ...serveArgs];
  // The test clock: seconds added to the server's real time, in a file it reads at every call.
  const clockFile = path.join(dir, 'clock-offset');
  let clockOffset = 0;
  const advanceClock = async (seconds) => {
    if (!testClock) throw new Error('advanceClock needs startIbgate({ testClock: true })');
    clockOffset += seconds;
    fs.writeFileSync(clockFile + '.new', String(clockOffset));
    fs.renameSync(clockFile + '.new', clockFile);   // the server never reads half a number
  };
  const startSingle = async () => {
    const bin = testClock ? ibgateTestClockBin : ibgateBin;
    const env = testClock ? { env: { ...process.env, IBGATE_TEST_CLOCK_FILE: clockFile } } : {};
    server = spawnTracked(bin, ['--dir', data, 'serve',
      '--app-listen', `127.0.0.1:${appPort}`, '--cert-listen', `127.0.0.1:${certPort}`, ...commonArgs], env, t);
    server.child.stdout.resume();
    server.child.stderr.resume();
    await waitForPort(appPort, server.exited);
    await waitForPort(certPort, server.exited);
    await checkServerTrust(data, [appPort, certPort]);
  };
  const stopSingle = async () => {
    if (!server) return;
    process.kill(-server.child.pid, 'SIGTERM');
    await server.exited;
    server = null;
  };
  // The whole set: instances, then the proxy in front of them (the proxy's listeners are the
  // origins, so they open last and close first).
  const startProxied = async () => {
    if (!cluster) {
      cluster = await startProxiedInstances({ kind: proxy, count: instances, data, runDir: path.join(dir, 'proxy'),
        appPort, certPort, ibgateBin, serveArgs: commonArgs });
      onCleanup(async () => {
        await cluster.stop();
        await database.drop();
      }, t);
    } else {
      await cluster.start();
    }
    await checkServerTrust(data, [appPort, certPort]);
  };
  const start = proxy ? startProxied : startSingle;
  const stop = proxy ? () => cluster?.stop() : stopSingle;
  await start();

  // The page's configuration with this server's certificate origin.
  const config = JSON.parse(fs.readFileSync(path.join(distDir, 'config.json'), 'utf8'));
  config.certificate_origin = certOrigin;
  // Most tests type the password on the physical keyboard; the software keyboard (the credit
  // union's default) has tests of its own that use `softKeyboardConfig`.
  const softKeyboardConfig = JSON.parse(JSON.stringify(config));
  config.software_keyboard = { ...config.software_keyboard, enabled_by_default: false };

  const addUser = (id, password, { name = '山田 太郎', company = '株式会社さくら商事', role = 'administrator' } = {}) =>
    ibgate(['user', 'add', id, '--name', name, '--company', company, '--role', role, '--password-stdin'], password + '\n');

  // Issues a certificate through the operator command; returns Playwright clientCertificates.
  const issueCert = async (id, { days = 365, origin = certOrigin } = {}) => {
    const out = path.join(dir, 'certs', id + '-' + Date.now());
    const issued = JSON.parse(await ibgate(['cert', 'issue', id, '--days', String(days), '--out', out, '--json']));
    return { clientCertificates: [{ origin, certPath: issued.certificate, keyPath: issued.key }],
             fingerprint: issued.fingerprint, serial: issued.serial };
  };

  // A new user `<prefix>N` (N counting per prefix on this server) with a password and, unless
  // `certificate: false`, a certificate (issueCert's result); `options` are addUser's.
  const userCounts = new Map();
  const newUser = async (prefix, { certificate = true, ...options } = {}) => {
    const n = (userCounts.get(prefix) ?? 0) + 1;
    userCounts.set(prefix, n);
    const id = `${prefix}${n}`;
    const password = `Pw-${n}-Secret!`;
    await addUser(id, password, options);
    return { id, password, certificate: certificate ? await issueCert(id) : null };
  };

  // Issues a 取得用パスワード through the operator command; returns { user_id, code, expires_at }.
  const enrollCode = async (id, { validDays = null } = {}) =>
    JSON.parse(await ibgate(['cert', 'enroll', id, '--json', ...(validDays ? ['--valid-days', String(validDays)] : [])]));

  // A browser context holding `clientCertificates` (none: a customer without a certificate),
  // served `pageConfig` as config.json (null: the server's own), on this server's page (`url`)
  // after its first frame. Closed after test `t`. `setup(context)` runs before navigation
  // (init scripts, e.g. preferences).
  const openPage = async (browser, t, { clientCertificates = null, pageConfig = config, viewport = { width: 1280, height: 900 },
                                        contextOptions = {}, setup = null, url = appUrl } = {}) => {
    const context = await browser.newContext({
      // The development server CA is not in the test browser's trust store (see checkServerTrust).
      ignoreHTTPSErrors: true,
      viewport,
      ...(clientCertificates ? { clientCertificates } : {}),
      ...contextOptions,
    });
    onCleanup(() => context.close().catch(() => {}), t);
    if (pageConfig)
      await context.route('**/config.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(pageConfig) }));
    if (setup) await setup(context);
    const page = await context.newPage();
    await page.goto(url);
    await waitForFirstFrame(page);
    return { context, page };
  };

  return { appUrl, certOrigin, config, softKeyboardConfig, ibgate, addUser, newUser, issueCert, enrollCode, advanceClock, openPage, stop,
           start, dir,
           data, database: database?.url ?? null, get cluster() { return cluster; } };
}
