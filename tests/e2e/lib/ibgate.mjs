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

const run = promisify(execFile);
export const ibgateBin = process.env.IBGATE_BIN || path.join(repoRoot, 'build/native/src/server/ibgate');
export const institution = { code: '1399', name: 'さくら信用金庫' };

export { freePort };

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
// are more of them, as on the command line (e.g. ['--ocsp-url', url]).
// Returns { appUrl, certOrigin, config, ibgate(args, stdin), addUser, issueCert, stop, start }.
export async function startIbgate({ t = null, idleTimeout = 600, maxFailures = 6, serveArgs = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibgate-e2e-'));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }), t);
  const data = path.join(dir, 'data');

  const ibgate = async (args, stdin = null) => {
    const child = run(ibgateBin, ['--dir', data, ...args], { maxBuffer: 4 << 20 });
    if (stdin !== null) {
      child.child.stdin.end(stdin);
    }
    const { stdout } = await child;
    return stdout;
  };
  await ibgate(['init', '--institution-code', institution.code, '--institution-name', institution.name,
                '--hash-cost', 'test']);

  const appPort = await freePort();
  const certPort = await freePort();
  const appUrl = `https://localhost:${appPort}/`;
  const certOrigin = `https://localhost:${certPort}`;
  let server = null;

  const start = async () => {
    server = spawnTracked(ibgateBin, ['--dir', data, 'serve', '--web-root', distDir,
      '--app-listen', `127.0.0.1:${appPort}`, '--cert-listen', `127.0.0.1:${certPort}`,
      '--app-origin', `https://localhost:${appPort}`, '--cert-origin', certOrigin,
      '--idle-timeout', String(idleTimeout), '--max-failures', String(maxFailures), ...serveArgs], {}, t);
    server.child.stdout.resume();
    server.child.stderr.resume();
    await waitForPort(appPort, server.exited);
    await waitForPort(certPort, server.exited);
    await checkServerTrust(data, [appPort, certPort]);
  };
  const stop = async () => {
    if (!server) return;
    process.kill(-server.child.pid, 'SIGTERM');
    await server.exited;
    server = null;
  };
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
    const text = await ibgate(['cert', 'issue', id, '--days', String(days), '--out', out]);
    const field = (label) => text.split('\n').find((l) => l.trim().startsWith(label)).trim().slice(label.length).trim();
    const fingerprint = (text.match(/[0-9a-f]{64}/) || [''])[0];
    return { clientCertificates: [{ origin, certPath: field('PEM certificate'), keyPath: field('PEM key') }], fingerprint, text };
  };

  // A browser context holding `clientCertificates` (none: a customer without a certificate),
  // served `pageConfig` as config.json, on this server's page after its first frame. Closed
  // after test `t`. `setup(context)` runs before navigation (init scripts, e.g. preferences).
  const openPage = async (browser, t, { clientCertificates = null, pageConfig = config, viewport = { width: 1280, height: 900 },
                                        contextOptions = {}, setup = null } = {}) => {
    const context = await browser.newContext({
      // The development server CA is not in the test browser's trust store (see checkServerTrust).
      ignoreHTTPSErrors: true,
      viewport,
      ...(clientCertificates ? { clientCertificates } : {}),
      ...contextOptions,
    });
    onCleanup(() => context.close().catch(() => {}), t);
    await context.route('**/config.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(pageConfig) }));
    if (setup) await setup(context);
    const page = await context.newPage();
    await page.goto(appUrl);
    await waitForFirstFrame(page);
    return { context, page };
  };

  return { appUrl, certOrigin, config, softKeyboardConfig, ibgate, addUser, issueCert, openPage, stop, start, dir };
}
