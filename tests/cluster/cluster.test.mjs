// Several real `ibgate serve` processes on one PostgreSQL database, driven by real concurrent
// TLS clients that present client certificates - the deployment the PostgreSQL store exists for.
// Each invariant must hold because the database enforces it: no process shares a lock with
// another, and the test only ever talks to the processes over loopback HTTPS and runs the
// operator commands as an operator would.
//
// Each process has its own copy of the data directory (PKI, CRL): what one process learns from
// another can only have come through the database. Run by tests/cluster/run (under scripts/pg
// run, which provides $IBGATE_TEST_PG and $IBGATE_TEST_PG_DIR).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { onCleanup, runCleanup, spawnTracked } from '../e2e/lib/cleanup.mjs';
import { withDatabase } from '../e2e/lib/pgdb.mjs';
import { send as sendRequest } from '../proxy/client.mjs';
import { freePort } from '../e2e/lib/ports.mjs';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ibgateBin = process.env.IBGATE_BIN || path.join(repoRoot, 'build/native/src/server/ibgate');
const pgScript = path.join(repoRoot, 'scripts/pg');
const pgServer = process.env.IBGATE_TEST_PG || '';
const pgDir = process.env.IBGATE_TEST_PG_DIR || '';

// Bounds of the whole file: counts, not durations, decide what is tested.
const kProcesses = 3;
const kRacingLogins = 200;
const kMaxFailures = 5;
const kWrongPasswords = 40;
const kRecoverySeconds = 30;       // how long PostgreSQL's return may take to be noticed
const kPassword = 'Sakura-2024-pass';

let work = '';
let data = '';           // the operator's data directory
let databaseUrl = '';    // the test's own database on the PostgreSQL server
let serverCa = null;
const servers = [];      // { name, certPort, appPort, process }
const certs = {};        // user -> { cert, key, serial }

const ibgateEnv = () => ({ ...process.env, IBGATE_DATABASE: databaseUrl });

// An operator command against the shared database; resolves to its standard output.
async function ibgate(args, stdin = null) {
  const child = run(ibgateBin, ['--dir', data, ...args], { env: ibgateEnv(), maxBuffer: 16 << 20 });
  child.child.stdin.end(stdin ?? '');
  const { stdout } = await child;
  return stdout;
}

async function psql(sql) {
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', pgServer, '-c', sql]);
}

// Starts one `ibgate serve` over its own copy of the data directory and resolves once it says it
// is serving (it prints that after both listeners are bound); rejects when it exits first.
async function startServer(index, web) {
  const dir = path.join(work, `data-${index}`);
  fs.cpSync(data, dir, { recursive: true });
  const appPort = await freePort();
  let certPort = await freePort();
  while (certPort === appPort) certPort = await freePort();
  const tracked = spawnTracked(ibgateBin, ['--dir', dir, 'serve', '--web-root', web,
    '--app-listen', `127.0.0.1:${appPort}`, '--cert-listen', `127.0.0.1:${certPort}`,
    '--app-origin', `https://localhost:${appPort}`, '--cert-origin', `https://localhost:${certPort}`,
    '--max-failures', String(kMaxFailures),
    // Every racing login must reach the database: none may be turned away at the door.
    '--hash-workers', '2', '--hash-queue', String(kRacingLogins),
    '--max-connections-per-address', String(2 * kRacingLogins)], { env: ibgateEnv() });
  const server = { name: `ibgate-${index}`, appPort, certPort, tracked, output: '' };
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${server.name} did not start: ${server.output}`)), 20_000);
    const collect = (chunk) => {
      server.output += chunk;
      if (server.output.includes(' serving\n')) {
        clearTimeout(timer);
        resolve();
      }
    };
    tracked.child.stdout.setEncoding('utf8').on('data', collect);
    tracked.child.stderr.setEncoding('utf8').on('data', collect);
    tracked.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${server.name} exited (${code}): ${server.output}`));
    });
  });
  server.exitCode = null;
  tracked.exited.then((code) => { server.exitCode = code; });
  return server;
}

// One request on a connection of its own to a server's certificate origin, as the page sends it
// (tests/proxy/client.mjs). Resolves to { status, json, cookie, body } (status 0 and `failure`
// when no HTTP answer came).
const send = (server, options) => sendRequest({ ...options, port: server.certPort, ca: serverCa });

const errorOf = (reply) => reply.json?.error ?? '';
const describe = (reply) => `${reply.status} ${errorOf(reply) || reply.failure || ''}`.trim();

// "status error" -> count, for messages.
function tally(replies) {
  const counts = {};
  for (const r of replies) counts[describe(r)] = (counts[describe(r)] || 0) + 1;
  return counts;
}

const identify = (server, cert) => send(server, { target: '/api/v1/identify', body: {}, cert });
const login = (server, cert, ticket, password) =>
  send(server, { target: '/api/v1/login', body: { ticket, password }, cert });
const sessionGet = (server, cert, cookie) => send(server, { method: 'GET', target: '/api/v1/session', cert, cookie });

async function ticketFor(server, cert) {
  const r = await identify(server, cert);
  assert.equal(r.status, 200, `identify on ${server.name}: ${r.body || r.failure}`);
  return r.json.ticket;
}

async function addUserWithCert(user) {
  await ibgate(['user', 'add', user, '--name', `利用者 ${user}`, '--company', '株式会社テスト', '--password-stdin'],
    kPassword + '\n');
  const text = await ibgate(['cert', 'issue', user, '--days', '30', '--out', path.join(work, 'certs', user)]);
  const field = (label) => text.split('\n').find((l) => l.trim().startsWith(label)).trim().slice(label.length).trim();
  certs[user] = {
    cert: fs.readFileSync(field('PEM certificate')),
    key: fs.readFileSync(field('PEM key')),
    serial: text.match(/issued certificate ([0-9A-Fa-f]+) /)[1],
  };
}

async function auditOf(user) {
  const text = await ibgate(['audit', ...(user ? ['--user', user] : []), '--json', '--limit', '100000']);
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

async function userRow(user) {
  const text = await ibgate(['user', 'list']);
  const line = text.split('\n').find((l) => l.split(/\s+/)[0] === user);
  assert.ok(line, `user list names ${user}:\n${text}`);
  const [, , failed, ...rest] = line.split(/\s+/);
  return { failed: Number(failed), locked: rest[0] !== '-' };
}

before(async () => {
  assert.ok(pgServer, 'IBGATE_TEST_PG is not set: run tests/cluster/run (it starts PostgreSQL through scripts/pg)');
  assert.ok(fs.existsSync(ibgateBin), `${ibgateBin} is missing: run scripts/build native`);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ibgate-cluster-'));
  onCleanup(() => fs.rmSync(work, { recursive: true, force: true }));
  data = path.join(work, 'data');

  const name = `ibgate_cluster_${process.pid}_${Date.now().toString(16)}`;
  await psql(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
  databaseUrl = withDatabase(pgServer, name);
  // Runs in after(), once the servers are stopped; FORCE ends any connection one still holds.
  onCleanup(() => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {}));

  await ibgate(['init', '--hash-cost', 'test']);
  serverCa = fs.readFileSync(path.join(data, 'pki/server-ca.pem'));
  for (const user of ['racer01', 'locker01', 'revoked01', 'steady01']) await addUserWithCert(user);

  const web = path.join(work, 'web');
  fs.mkdirSync(web);
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>ibank</title>\n');
  for (let i = 0; i < kProcesses; i++) servers.push(await startServer(i, web));
});

after(async () => {
  // Servers first (so no connection holds the database), then the database, then the files.
  await Promise.allSettled(servers.map(async (s) => {
    if (s.exitCode === null) {
      process.kill(-s.tracked.child.pid, 'SIGTERM');
      await s.tracked.exited;
    }
  }));
  await runCleanup();
});

test(`${kRacingLogins} racing logins of one user over ${kProcesses} processes: exactly one session`, { timeout: 180_000 }, async () => {
  const cert = certs.racer01;
  const at = (i) => servers[i % servers.length];
  // Tickets first, so that the logins themselves race.
  const tickets = await Promise.all(Array.from({ length: kRacingLogins }, (_, i) => ticketFor(at(i), cert)));
  const replies = await Promise.all(tickets.map((ticket, i) => login(at(i), cert, ticket, kPassword)));
  const counts = tally(replies);
  assert.equal(replies.filter((r) => r.status === 200).length, 1, JSON.stringify(counts));
  assert.equal(replies.filter((r) => r.status === 409 && errorOf(r) === 'session_active').length, kRacingLogins - 1,
    JSON.stringify(counts));

  const sessions = (await ibgate(['session', 'list'])).split('\n').filter((l) => l.split(/\s+/)[0] === 'racer01');
  assert.equal(sessions.length, 1);
  // The one session is good on every process.
  const cookie = replies.find((r) => r.status === 200).cookie;
  for (const server of servers) assert.equal((await sessionGet(server, cert, cookie)).status, 200, server.name);
});

test(`${kWrongPasswords} racing wrong passwords: locked after exactly ${kMaxFailures}, each counted once`, { timeout: 120_000 }, async () => {
  const cert = certs.locker01;
  const at = (i) => servers[i % servers.length];
  const tickets = await Promise.all(Array.from({ length: kWrongPasswords }, (_, i) => ticketFor(at(i), cert)));
  const replies = await Promise.all(tickets.map((ticket, i) => login(at(i), cert, ticket, 'Wrong-password-99')));
  const counts = tally(replies);
  // The failures before the limit are told so; the one that reaches it and every later one: locked.
  assert.equal(replies.filter((r) => r.status === 401 && errorOf(r) === 'wrong_password').length, kMaxFailures - 1,
    JSON.stringify(counts));
  assert.equal(replies.filter((r) => r.status === 423 && errorOf(r) === 'locked').length,
    kWrongPasswords - (kMaxFailures - 1), JSON.stringify(counts));

  const row = await userRow('locker01');
  assert.equal(row.failed, kMaxFailures);
  assert.ok(row.locked);
  // The audit log holds one counted failure per number 1..max, none twice, none more.
  const counted = (await auditOf('locker01'))
    .map((r) => /consecutive failures: (\d+)/.exec(r.detail || ''))
    .filter(Boolean)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  assert.deepEqual(counted, Array.from({ length: kMaxFailures }, (_, i) => i + 1));
  // The right password does not help a locked account, on any process.
  for (const server of servers) {
    const r = await login(server, cert, await ticketFor(server, cert), kPassword);
    assert.equal(describe(r), '423 locked', server.name);
  }
});

test('a revocation by the operator command is seen by every process on its next request', { timeout: 60_000 }, async () => {
  const cert = certs.revoked01;
  const r = await login(servers[0], cert, await ticketFor(servers[0], cert), kPassword);
  assert.equal(r.status, 200, r.body);
  for (const server of servers) {
    assert.equal((await identify(server, cert)).status, 200, server.name);
    assert.equal((await sessionGet(server, cert, r.cookie)).status, 200, server.name);
  }

  // The operator's CRL file is rewritten; the processes' copies are not.
  await ibgate(['cert', 'revoke', cert.serial, '--reason', 'cluster test']);

  for (const server of servers) {
    assert.equal(describe(await identify(server, cert)), '401 cert_revoked', server.name);
  }
  // The session made with it is over everywhere: the revocation ended it in the database
  // (session_expired, "ended: cert_revoked"), or a process that found it still open ends it.
  for (const server of servers) {
    const s = await sessionGet(server, cert, r.cookie);
    assert.ok(['401 session_expired', '401 cert_revoked'].includes(describe(s)), `${server.name}: ${describe(s)}`);
  }
});

test('PostgreSQL stopped (immediate): every process answers 503 unavailable; started again: they recover and nothing committed is lost',
  { timeout: 120_000 }, async () => {
    assert.ok(pgDir, 'IBGATE_TEST_PG_DIR is not set (scripts/pg run sets it)');
    const cert = certs.steady01;
    const s = await login(servers[1], cert, await ticketFor(servers[1], cert), kPassword);
    assert.equal(s.status, 200, s.body);
    const auditBefore = new Set((await auditOf('')).map((r) => r.id));

    // As a crash would: no checkpoint, so what the processes were told was committed must come
    // back from the WAL.
    await run(pgScript, ['stop', '--keep', '--immediate', pgDir]);
    try {
      for (const server of servers) {
        assert.equal(describe(await identify(server, cert)), '503 unavailable', server.name);
        assert.equal(describe(await sessionGet(server, cert, s.cookie)), '503 unavailable', server.name);
        assert.equal(server.exitCode, null, `${server.name} exited`);
      }
    } finally {
      await run(pgScript, ['start', pgDir]);
    }

    // The same processes, not restarted: each answers again once it has reconnected. Until then
    // a request may only be told to retry.
    for (const server of servers) {
      const deadline = Date.now() + kRecoverySeconds * 1000;
      let reply = await identify(server, cert);
      while (reply.status !== 200 && Date.now() < deadline) {
        assert.equal(describe(reply), '503 unavailable', server.name);
        await new Promise((resolve) => setTimeout(resolve, 100));
        reply = await identify(server, cert);
      }
      assert.equal(reply.status, 200, `${server.name} did not recover: ${describe(reply)}`);
      assert.equal((await sessionGet(server, cert, s.cookie)).status, 200, `${server.name}: the session survived`);
      assert.equal(server.exitCode, null, `${server.name} exited`);
    }
    // Everything committed before the stop is still there.
    const auditAfter = new Set((await auditOf('')).map((r) => r.id));
    const lost = [...auditBefore].filter((id) => !auditAfter.has(id));
    assert.deepEqual(lost, [], 'audit rows lost');
    assert.equal((await userRow('locker01')).failed, kMaxFailures);
    assert.equal(describe(await identify(servers[2], certs.revoked01)), '401 cert_revoked');
  });
