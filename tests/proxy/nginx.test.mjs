// Three `ibgate serve --behind-proxy` instances on one PostgreSQL database behind nginx, rendered
// from scripts/cluster.d/nginx.conf.in, driven over real TLS with real client certificates:
// turns, forged certificate and address headers, racing logins, an instance killed under load,
// nginx reloaded under load. Which instance answered a request is read from the instances' own
// access lines (JSON on standard error), matched by the X-Request-Id nginx gave the request.
// Run by tests/proxy/run (under scripts/pg run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runCleanup } from '../e2e/lib/cleanup.mjs';
import { startIbgate } from '../e2e/lib/ibgate.mjs';
import { waitUntil } from '../e2e/lib/proxy.mjs';
import { api, addUser, assertOk, describe, nginxForm, haproxyForm, sessionsOf, tally, waitForInstanceOf } from './client.mjs';

const runFile = promisify(execFile);

// Bounds: counts decide what is tested; times only stop a hung run.
const kInstances = 3;
const kTurns = 12;                // requests per origin in the turns test (a multiple of kInstances)
const kRacingLogins = 60;         // below nginx's 64 connections per address
const kKillLoops = 3;             // parallel login loops while an instance is killed
const kKillUsersPerLoop = 6;
const kKillAfter = 4;             // acknowledged logins before the kill
const kAttemptsPerUser = 3;
const kReloads = 3;
const kReloadStreams = 4;

let server;
let cluster;
let viaProxy;

before(async () => {
  server = await startIbgate({ proxy: 'nginx', instances: kInstances,
    // Every racing login must reach the database: none may be turned away at an instance's door.
    serveArgs: ['--hash-queue', String(kRacingLogins)] });
  cluster = server.cluster;
  viaProxy = api(server);
});
after(runCleanup);

const instancePort = (instance) => instance.certPort;

test('the instances take requests in turn, on both origins', { timeout: 60_000 }, async () => {
  const user = await addUser(server, 'turns01');
  const appOrigin = api(server, Number(new URL(server.appUrl).port));
  for (const [origin, request] of [
    ['app', () => appOrigin.call({ method: 'GET', target: '/index.html' })],
    ['cert', () => viaProxy.identify(user)],
  ]) {
    const served = [];
    for (let i = 0; i < kTurns; i++) {
      const r = await request();
      assertOk(r, `${origin} request ${i}`);
      served.push((await waitForInstanceOf(cluster, r.requestId)).name);
    }
    const counts = Object.fromEntries(cluster.instances.map((s) => [s.name, served.filter((n) => n === s.name).length]));
    // Round robin: each instance once in every kInstances requests.
    for (const [name, n] of Object.entries(counts)) {
      assert.equal(n, kTurns / kInstances, `${origin} origin: ${name} served ${n} of ${kTurns}: ${served.join(' ')}`);
    }
    for (let i = kInstances; i < served.length; i++) {
      assert.equal(served[i], served[i - kInstances], `${origin} origin: turns ${served.join(' ')}`);
    }
  }
});

test('a forged X-Client-Cert sent straight to an instance from an untrusted address never logs in', { timeout: 60_000 }, async () => {
  const victim = await addUser(server, 'victim01');
  const attacker = await addUser(server, 'attacker01');
  const target = cluster.instances[0];
  // 127.0.0.2: the instance trusts only 127.0.0.1/32 (the proxy).
  const direct = api(server, instancePort(target), { localAddress: '127.0.0.2' });

  for (const [form, value] of [['nginx', nginxForm(victim.pem)], ['haproxy', haproxyForm(victim.pem)]]) {
    const none = await direct.identify(null, { headers: { 'X-Client-Cert': value } });
    assert.equal(describe(none), '401 no_certificate', `${form} form without a TLS certificate`);
    const own = await direct.identify(attacker, { headers: { 'X-Client-Cert': value } });
    assertOk(own, `${form} form on top of the attacker's own certificate`);
    assert.equal(own.json.identity.user_id, attacker.id, 'the TLS peer certificate counts, not the header');
    const login = await direct.login(attacker, own.json.ticket, undefined, { headers: { 'X-Client-Cert': value } });
    if (login.status === 200) {
      assert.equal(login.json.session.user_id, attacker.id);
      await direct.logout(attacker, login.cookie, login.json.csrf_token);
    }
  }
  assert.deepEqual(sessionsOf(await server.ibgate(['session', 'list']), victim.id), [], 'no session for the victim');
  const audit = (await server.ibgate(['audit', '--json', '--limit', '1000'])).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(audit.some((r) => r.event === 'forwarded_header_ignored' && /127\.0\.0\.2/.test(r.detail || '')),
    'the ignored header is audited');
  assert.ok(!audit.some((r) => r.user_id === victim.id && r.event === 'login' && r.result === 'success'), 'no login of the victim');
});

test('through nginx, a forged X-Client-Cert or X-Forwarded-For never counts', { timeout: 60_000 }, async () => {
  const victim = await addUser(server, 'victim02');
  const attacker = await addUser(server, 'attacker02');
  const forged = { 'X-Client-Cert': nginxForm(victim.pem) };

  // Without a certificate: nginx sends none, whatever the client sent (once or twice).
  assert.equal(describe(await viaProxy.identify(null, { headers: forged })), '401 no_certificate');
  assert.equal(describe(await viaProxy.identify(null, { headers: { 'X-Client-Cert': [nginxForm(victim.pem), haproxyForm(victim.pem)] } })),
    '401 no_certificate');
  // On top of a real certificate: the real one counts.
  const from = '127.0.0.3';
  const i = await viaProxy.identify(attacker, { headers: { ...forged, 'X-Forwarded-For': '203.0.113.9' }, localAddress: from });
  assertOk(i, 'identify');
  assert.equal(i.json.identity.user_id, attacker.id);
  const login = await viaProxy.login(attacker, i.json.ticket, undefined,
    { headers: { ...forged, 'X-Forwarded-For': '203.0.113.9' }, localAddress: from });
  assertOk(login, 'login');
  assert.equal(login.json.session.user_id, attacker.id);
  // nginx wrote the customer's own address over the forged one, and the instance took it.
  assert.equal(login.json.session.recent_logins[0].source_address, from);
  assert.deepEqual(sessionsOf(await server.ibgate(['session', 'list']), victim.id), []);

  // The app origin: nginx removes the header (an instance would refuse it with 400).
  const app = api(server, Number(new URL(server.appUrl).port));
  assertOk(await app.call({ method: 'GET', target: '/index.html', headers: forged }), 'app origin with a forged header');
});

test(`${kRacingLogins} racing logins of one user through nginx, over every instance: exactly one session`, { timeout: 180_000 }, async () => {
  const user = await addUser(server, 'racer01');
  const tickets = await Promise.all(Array.from({ length: kRacingLogins }, async (_, n) => {
    const r = await viaProxy.identify(user);
    assertOk(r, `identify ${n}`);
    return r.json.ticket;
  }));
  const replies = await Promise.all(tickets.map((ticket) => viaProxy.login(user, ticket)));
  const counts = tally(replies);
  assert.equal(replies.filter((r) => r.status === 200).length, 1, JSON.stringify(counts));
  assert.equal(replies.filter((r) => describe(r) === '409 session_active').length, kRacingLogins - 1, JSON.stringify(counts));
  const servedBy = new Set();
  for (const r of replies) servedBy.add((await waitForInstanceOf(cluster, r.requestId)).name);
  assert.equal(servedBy.size, kInstances, `the logins reached ${[...servedBy].join(', ')}`);
  assert.equal(sessionsOf(await server.ibgate(['session', 'list']), user.id).length, 1);
});

test('kill -9 of one instance during logins: the others keep serving, every acknowledged login is kept, the instance comes back',
  { timeout: 240_000 }, async (t) => {
    const users = [];
    for (let i = 0; i < kKillLoops * kKillUsersPerLoop; i++) users.push(await addUser(server, `kill${String(i).padStart(2, '0')}`));
    const victim = cluster.instances[1];
    const generationBefore = victim.generation;
    const acknowledged = [];     // { user, cookie }
    const unacknowledged = [];   // users whose login may have committed without an answer
    const failures = [];         // replies that were not an answer of ibgate
    let killed = false;

    const loop = async (loopIndex) => {
      for (let u = 0; u < kKillUsersPerLoop; u++) {
        const user = users[loopIndex * kKillUsersPerLoop + u];
        let done = false;
        for (let attempt = 0; attempt < kAttemptsPerUser && !done; attempt++) {
          if (!killed && acknowledged.length >= kKillAfter) {
            killed = true;
            victim.kill('SIGKILL');
          }
          const r = await viaProxy.fullLogin(user);
          if (r.status === 200) {
            acknowledged.push({ user, cookie: r.cookie });
            done = true;
          } else if (describe(r) === '409 session_active' && attempt > 0) {
            // An earlier attempt's login committed on the killed instance before its answer could leave.
            unacknowledged.push(user);
            done = true;
          } else {
            // Only the gateway may fail (nginx: 502 when the instance died with the request).
            assert.ok([502, 504].includes(r.status), `${user.id}: ${describe(r)} ${r.body.slice(0, 200)}`);
            failures.push(r);
          }
        }
        assert.ok(done, `${user.id}: no login in ${kAttemptsPerUser} attempts: ${failures.map(describe).join(', ')}`);
      }
    };
    await Promise.all(Array.from({ length: kKillLoops }, (_, i) => loop(i)));
    assert.ok(killed, 'the instance was killed');
    assert.ok(failures.length <= kKillLoops * 2, `failed requests: ${JSON.stringify(tally(failures))}`);
    assert.equal(acknowledged.length + unacknowledged.length, users.length);
    t.diagnostic(`${acknowledged.length} logins acknowledged, ${unacknowledged.length} committed without an answer, ` +
                 `failed requests: ${JSON.stringify(tally(failures))}`);

    // Every acknowledged login is in the database, and its session is good through nginx.
    const listing = await server.ibgate(['session', 'list']);
    for (const { user, cookie } of acknowledged) {
      assert.equal(sessionsOf(listing, user.id).length, 1, `${user.id}'s session is in the database`);
      assertOk(await viaProxy.session(user, cookie), `${user.id}'s session`);
    }
    // The supervisor started the killed instance again, and nginx sends it requests again.
    await victim.waitForRestart(generationBefore);
    const probe = users[0];
    const deadline = Date.now() + 60_000;
    let back = false;
    for (let i = 0; i < 600 && !back && Date.now() < deadline; i++) {
      const r = await viaProxy.identify(probe);
      assertOk(r, 'identify after the restart');
      const instance = await waitForInstanceOf(cluster, r.requestId);
      back = instance === victim && victim.requests((l) => l.request_id === r.requestId && l.generation > generationBefore).length > 0;
      if (!back) await new Promise((resolve) => setTimeout(resolve, 100));   // nginx retries a failed server after fail_timeout
    }
    assert.ok(back, `${victim.name} restarted but got no request`);
    t.diagnostic(`${victim.name} restarted ${victim.restarts} time(s); generation ${victim.generation} serves again`);
  });

// nginx's worker processes (children of the master).
async function nginxWorkers(masterPid) {
  const { stdout } = await runFile('ps', ['-o', 'pid=', '--ppid', String(masterPid)]).catch(() => ({ stdout: '' }));
  return new Set(stdout.split('\n').map((s) => s.trim()).filter(Boolean).map(Number));
}

test(`nginx -s reload ${kReloads} times during a stream of session checks: no request fails`, { timeout: 180_000 }, async (t) => {
  const user = await addUser(server, 'reload01');
  const login = await viaProxy.fullLogin(user);
  assertOk(login, 'login');
  const replies = [];
  const during = [];
  let running = true;
  let reloading = false;
  const stream = async () => {
    for (let i = 0; running && i < 100_000; i++) {
      const r = await viaProxy.session(user, login.cookie);
      replies.push(r);
      if (reloading) during.push(r);
    }
  };
  const streams = Array.from({ length: kReloadStreams }, () => stream());
  try {
    await waitUntil(() => replies.length >= 20, { what: 'the first session checks' });
    const master = cluster.proxy.pid;
    for (let n = 0; n < kReloads; n++) {
      const old = await nginxWorkers(master);
      assert.ok(old.size > 0, 'nginx has workers');
      reloading = true;
      await cluster.proxy.reload();
      // Reloaded: every old worker has finished and left, and new ones serve.
      await waitUntil(async () => {
        const now = await nginxWorkers(master);
        return now.size > 0 && [...now].every((pid) => !old.has(pid));
      }, { timeoutMs: 60_000, what: `reload ${n + 1} to replace nginx's workers` });
      reloading = false;
      const seen = replies.length;
      await waitUntil(() => replies.length >= seen + 10, { what: 'session checks after the reload' });
    }
  } finally {
    running = false;
    await Promise.all(streams);
  }
  const failed = replies.filter((r) => r.status !== 200);
  assert.deepEqual(tally(failed), {}, `${failed.length} of ${replies.length} session checks failed`);
  assert.ok(during.length > 0, 'some session checks ran while nginx reloaded');
  t.diagnostic(`${replies.length} session checks, ${during.length} of them while nginx reloaded, ${failed.length} failed`);
  assert.equal(cluster.proxy.tracked.code, undefined, 'nginx is still running');
});
