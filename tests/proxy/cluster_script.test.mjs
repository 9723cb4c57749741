// scripts/cluster itself, as an operator runs it (without its build step): it comes up behind
// nginx with the demo user, the demo certificate logs in through the proxy, a killed instance is
// started again by its supervisor, Ctrl-C stops everything (instances, proxy, PostgreSQL); run
// again it reuses the kept PostgreSQL and data directory, and the end of the proxy stops
// everything as well. Run by tests/proxy/run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/lib/paths.mjs';
import { onCleanup, runCleanup, spawnTracked } from '../e2e/lib/cleanup.mjs';
import { freePort } from '../e2e/lib/ports.mjs';
import { waitUntil } from '../e2e/lib/proxy.mjs';
import { send, describe } from './client.mjs';

const kInstances = 2;
const kStartMs = 120_000;   // bootstrap check, PostgreSQL, first init, instances, proxy

after(runCleanup);

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

// A base whose 2 * kInstances ports above it are free, and two more ports for the origins.
async function pickPorts() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    if (base + 2 * kInstances > 65535) continue;
    let free = true;
    for (let p = base + 1; p <= base + 2 * kInstances && free; p++) free = !(await portOpen(p));
    if (!free) continue;
    const app = await freePort();
    const cert = await freePort();
    const all = new Set([app, cert, ...Array.from({ length: 2 * kInstances }, (_, i) => base + 1 + i)]);
    if (all.size === 2 + 2 * kInstances) return { base, app, cert };
  }
  throw new Error('no free ports for the cluster');
}

// The processes whose command line holds `needle` (the instances of this run, by their port).
function pidsWith(needle) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    try { cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' '); } catch { continue; }
    if (cmdline.includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

function startScript(env) {
  const tracked = spawnTracked(path.join(repoRoot, 'scripts/cluster'), ['--no-build', '--instances', String(kInstances)],
    { env: { ...process.env, ...env }, cwd: repoRoot });
  const run = { tracked, out: '', err: '', code: undefined };
  tracked.child.stdout.setEncoding('utf8').on('data', (c) => { run.out += c; });
  tracked.child.stderr.setEncoding('utf8').on('data', (c) => { run.err += c; });
  tracked.exited.then((code) => { run.code = code; });
  return run;
}

const output = (run) => `stdout:\n${run.out}\nstderr:\n${run.err}`;

test('scripts/cluster: up behind nginx, the demo logs in, a killed instance comes back, Ctrl-C stops everything; the end of the proxy too',
  { timeout: 400_000 }, async () => {
    const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibank-cluster-test-'));
    onCleanup(() => fs.rmSync(varDir, { recursive: true, force: true }));
    fs.chmodSync(varDir, 0o711);   // PostgreSQL runs as the postgres user and keeps its cluster in here
    const ports = await pickPorts();
    const env = { APP_PORT: String(ports.app), CERT_PORT: String(ports.cert), INSTANCE_PORT_BASE: String(ports.base),
                  IBGATE_VAR: varDir, IBGATE_HASH_COST: 'test' };
    const instancePorts = Array.from({ length: 2 * kInstances }, (_, i) => ports.base + 1 + i);
    const allPorts = [ports.app, ports.cert, ...instancePorts];
    const pgDirFile = path.join(varDir, 'cluster/pg-dir');

    // ---- first run
    const first = startScript(env);
    await waitUntil(() => first.out.includes('Ctrl-C stops everything') || first.code !== undefined,
      { timeoutMs: kStartMs, what: 'scripts/cluster to come up' });
    assert.equal(first.code, undefined, output(first));
    assert.match(first.out, /Instances are restarted automatically/);
    assert.match(first.out, new RegExp(`Page: +https://localhost:${ports.app}/`));
    assert.match(first.out, /Demo certificate: .*demo01\.p12/);

    const demo = path.join(varDir, 'cluster/demo');
    const credentials = fs.readFileSync(path.join(demo, 'credentials.txt'), 'utf8');
    const password = credentials.match(/^password +(\S+)$/m)[1];
    const cert = { cert: fs.readFileSync(path.join(demo, 'demo01.pem')), key: fs.readFileSync(path.join(demo, 'demo01.key')) };
    const ca = fs.readFileSync(path.join(varDir, 'cluster/ibgate/pki/server-ca.pem'));
    const call = (options) => send({ port: ports.cert, ca, origin: `https://localhost:${ports.app}`, ...options });
    const identify = await call({ target: '/api/v1/identify', body: {}, cert });
    assert.equal(identify.status, 200, `identify through the proxy: ${describe(identify)} ${identify.body}`);
    const login = await call({ target: '/api/v1/login', body: { ticket: identify.json.ticket, password }, cert });
    assert.equal(login.status, 200, `demo login through the proxy: ${describe(login)} ${login.body}`);
    assert.equal((await call({ target: '/api/v1/logout', body: {}, cert, cookie: login.cookie, csrf: login.json.csrf_token })).status, 200);

    // kill -9 of instance i2: its supervisor says so and starts it again on the same ports.
    const i2Cert = `--cert-listen 127.0.0.1:${ports.base + 4}`;
    const [victim] = pidsWith(i2Cert);
    assert.ok(victim, 'instance i2 is running');
    process.kill(victim, 'SIGKILL');
    await waitUntil(() => /i2 exited \(status 137\); starting it again/.test(first.err),
      { timeoutMs: 30_000, what: 'the supervisor to restart i2' });
    await waitUntil(async () => {
      const again = pidsWith(i2Cert).filter((p) => p !== victim);
      return again.length > 0 && await portOpen(ports.base + 4) && await portOpen(ports.base + 3);
    }, { timeoutMs: 30_000, what: 'i2 to listen again' });
    assert.equal(first.code, undefined, 'scripts/cluster kept running');

    // Ctrl-C (SIGINT to the whole process group, as a terminal sends it).
    process.kill(-first.tracked.child.pid, 'SIGINT');
    await first.tracked.exited;
    assert.equal(first.code, 130, output(first));
    assert.match(first.out, /cluster: stopped/);
    for (const port of allPorts) assert.equal(await portOpen(port), false, `port ${port} is closed`);
    const pgDir = fs.readFileSync(pgDirFile, 'utf8').trim();
    assert.ok(fs.existsSync(path.join(pgDir, 'data')), 'the PostgreSQL cluster is kept');
    assert.ok(!fs.existsSync(path.join(pgDir, 'data/postmaster.pid')), 'PostgreSQL is stopped');
    assert.deepEqual(pidsWith(`--dir ${varDir}`), [], 'no instance is left');

    // ---- second run: the same PostgreSQL and data directory (no new init); the proxy's end stops it.
    const second = startScript(env);
    onCleanup(async () => {
      if (second.code === undefined) { process.kill(-second.tracked.child.pid, 'SIGTERM'); await second.tracked.exited; }
      const dir = fs.existsSync(pgDirFile) ? fs.readFileSync(pgDirFile, 'utf8').trim() : '';
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    await waitUntil(() => second.out.includes('Ctrl-C stops everything') || second.code !== undefined,
      { timeoutMs: kStartMs, what: 'scripts/cluster to come up again' });
    assert.equal(second.code, undefined, output(second));
    assert.doesNotMatch(second.out, /initialised/, 'the data directory was kept');
    assert.equal(fs.readFileSync(pgDirFile, 'utf8').trim(), pgDir, 'the PostgreSQL cluster was kept');
    const again = await call({ target: '/api/v1/identify', body: {}, cert });
    assert.equal(again.status, 200, `the demo certificate still works: ${describe(again)}`);

    // nginx's master names its prefix (-p) in its process title; its workers do not. SIGTERM: nginx
    // ends with its workers (a SIGKILL would leave the workers serving without their master).
    const runDir = second.out.match(/configuration (\S+)\/nginx\.conf/)[1];
    const nginxMaster = pidsWith(`-p ${runDir} `);
    assert.equal(nginxMaster.length, 1, `nginx's master: ${nginxMaster}`);
    process.kill(nginxMaster[0], 'SIGTERM');
    await second.tracked.exited;
    assert.equal(second.code, 1, output(second));
    assert.match(second.err, /nginx exited; stopping everything/);
    for (const port of allPorts) assert.equal(await portOpen(port), false, `port ${port} is closed`);
    assert.ok(!fs.existsSync(path.join(pgDir, 'data/postmaster.pid')), 'PostgreSQL is stopped');
    assert.deepEqual(pidsWith(`--dir ${varDir}`), [], 'no instance is left');
  });
