// Several `ibgate serve --behind-proxy` instances on one data directory and one PostgreSQL
// database, behind Debian's nginx or HAProxy in the foreground, on loopback ports of their own -
// the deployment of scripts/cluster, for tests. The proxy's configuration is rendered from
// scripts/cluster.d/*.in by scripts/cluster.d/render, the same files scripts/cluster uses.
//
// An instance that exits without being told to is started again on the same ports (as
// scripts/cluster's supervisor does), and each instance keeps its JSON log lines (standard
// error) so tests can tell which instance answered what.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.mjs';
import { spawnTracked } from './cleanup.mjs';
import { freePort } from './ports.mjs';

const run = promisify(execFile);
export const renderScript = path.join(repoRoot, 'scripts/cluster.d/render');
export const proxyTemplates = {
  nginx: path.join(repoRoot, 'scripts/cluster.d/nginx.conf.in'),
  haproxy: path.join(repoRoot, 'scripts/cluster.d/haproxy.cfg.in'),
};
export const nginxBin = process.env.NGINX_BIN || '/usr/sbin/nginx';
export const haproxyBin = process.env.HAPROXY_BIN || '/usr/sbin/haproxy';
// The address the instances trust as their proxy: the proxy connects to them from 127.0.0.1.
export const trustedProxy = '127.0.0.1/32';

const kStartMs = 20_000;          // an instance or the proxy must be up within this
const kMaxLogLines = 200_000;     // per instance; older lines are dropped (counted in `droppedLines`)
const kMaxRestarts = 20;          // per instance: a crash loop fails instead of spinning

// `count` loopback ports, all different, nothing listening on them at the moment.
export async function freePorts(count) {
  const ports = new Set();
  for (let i = 0; ports.size < count && i < count * 20; i++) ports.add(await freePort());
  if (ports.size < count) throw new Error(`could not find ${count} free ports`);
  return [...ports];
}

// Resolves when `predicate()` is true; checks at every `subscribe` notification and every
// `pollMs`; rejects after `timeoutMs` with `what`.
export function waitUntil(predicate, { timeoutMs = 30_000, pollMs = 50, what = 'condition' } = {}) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = async () => {
      let ok = false;
      try { ok = await predicate(); } catch { ok = false; }
      if (ok) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, pollMs);
    };
    check();
  });
}

function portOpen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

// Renders `kind`'s template into `runDir`; resolves to the configuration file's path.
export async function renderProxyConfig(kind, { runDir, data, appPort, certPort, instances,
                                                maxConnectionsPerAddress = 64 }) {
  const template = proxyTemplates[kind];
  if (!template) throw new Error(`unknown proxy '${kind}' (nginx or haproxy)`);
  const pki = (name) => path.join(data, 'pki', name);
  const settings = {
    RUN_DIR: runDir,
    APP_LISTEN: `127.0.0.1:${appPort}`,
    CERT_LISTEN: `127.0.0.1:${certPort}`,
    CLIENT_CA: pki('ca.pem'),
    UPSTREAM_CA: pki('server-ca.pem'),
    UPSTREAM_NAME: 'localhost',
    MAX_CONNECTIONS_PER_ADDRESS: String(maxConnectionsPerAddress),
  };
  let out;
  if (kind === 'nginx') {
    Object.assign(settings, { SERVER_NAME: 'localhost', TLS_CERT: pki('server.pem'), TLS_KEY: pki('server.key') });
    out = path.join(runDir, 'nginx.conf');
  } else {
    // HAProxy takes the key from the certificate's name with .key for .crt (ssl-load-extra-del-ext).
    const tlsDir = path.join(runDir, 'tls');
    fs.mkdirSync(tlsDir, { recursive: true });
    for (const [link, target] of [['server.crt', 'server.pem'], ['server.key', 'server.key']]) {
      fs.rmSync(path.join(tlsDir, link), { force: true });
      fs.symlinkSync(pki(target), path.join(tlsDir, link));
    }
    settings.TLS_CRT = path.join(tlsDir, 'server.crt');
    out = path.join(runDir, 'haproxy.cfg');
  }
  const args = [template, '--out', out];
  for (const [name, value] of Object.entries(settings)) args.push('--set', `${name}=${value}`);
  for (const i of instances) args.push('--instance', `${i.name},127.0.0.1:${i.appPort},127.0.0.1:${i.certPort}`);
  await run('python3', [renderScript, ...args]);
  return out;
}

// One instance: `ibgate serve` in proxy mode on its own two ports, supervised.
class Instance {
  constructor({ ibgateBin, data, name, appPort, certPort, serveArgs, env }) {
    Object.assign(this, { ibgateBin, data, name, appPort, certPort, serveArgs, env });
    this.lines = [];            // parsed JSON log lines of every generation, each with `generation`
    this.droppedLines = 0;
    this.rawErrors = [];        // stderr lines that were not JSON (bounded)
    this.generation = 0;        // 1 for the first process, +1 for each restart
    this.restarts = 0;
    this.tracked = null;
    this.wanted = false;        // true while the instance should run (a crash then restarts it)
    this.output = '';           // the current process's standard output
    this.listeners = new Set(); // notified on every log line and state change
  }

  args() {
    return ['--dir', this.data, 'serve', ...this.serveArgs,
      '--app-listen', `127.0.0.1:${this.appPort}`, '--cert-listen', `127.0.0.1:${this.certPort}`,
      '--behind-proxy', '--trusted-proxy', trustedProxy, '--instance', this.name];
  }

  notify() { for (const f of this.listeners) f(); }

  async start() {
    this.wanted = true;
    await this.spawn();
  }

  // Starts one process and resolves once it says it is serving (both listeners bound).
  spawn() {
    this.generation++;
    const generation = this.generation;
    const tracked = spawnTracked(this.ibgateBin, this.args(), { env: this.env });
    this.tracked = tracked;
    this.output = '';
    let pendingErr = '';
    tracked.child.stdout.setEncoding('utf8').on('data', (chunk) => { this.output += chunk; this.notify(); });
    tracked.child.stderr.setEncoding('utf8').on('data', (chunk) => {
      pendingErr += chunk;
      let nl;
      while ((nl = pendingErr.indexOf('\n')) >= 0) {
        const line = pendingErr.slice(0, nl);
        pendingErr = pendingErr.slice(nl + 1);
        this.addLine(line, generation);
      }
      this.notify();
    });
    tracked.exited.then((code) => {
      tracked.code = code;
      if (this.tracked === tracked) this.onExit(code);
      this.notify();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { cleanup(); reject(new Error(`${this.name} did not start: ${this.output}${this.rawErrors.join('\n')}`)); }, kStartMs);
      const check = () => {
        if (this.output.includes(' serving\n')) { cleanup(); resolve(); }
        else if (tracked.code !== undefined) { cleanup(); reject(new Error(`${this.name} exited (${tracked.code}): ${this.output}${this.rawErrors.slice(-20).join('\n')}`)); }
      };
      const cleanup = () => { clearTimeout(timer); this.listeners.delete(check); };
      this.listeners.add(check);
      check();
    });
  }

  addLine(line, generation) {
    if (!line.trim()) return;
    let record = null;
    try { record = JSON.parse(line); } catch { /* not JSON */ }
    if (record && typeof record === 'object') {
      record.generation = generation;
      this.lines.push(record);
      if (this.lines.length > kMaxLogLines) { this.lines.shift(); this.droppedLines++; }
    } else if (this.rawErrors.length < 1000) {
      this.rawErrors.push(line);
    }
  }

  // The supervisor: a process that exits while the instance is wanted is started again.
  onExit(code) {
    if (!this.wanted) return;
    if (this.restarts >= kMaxRestarts) {
      this.wanted = false;
      this.failure = new Error(`${this.name} exited ${this.restarts + 1} times (last: ${code}); not restarted`);
      return;
    }
    this.restarts++;
    this.restarting = this.spawn().catch((e) => { this.failure = e; }).finally(() => { this.restarting = null; this.notify(); });
  }

  get running() { return Boolean(this.tracked) && this.tracked.code === undefined; }
  get pid() { return this.tracked?.child.pid; }

  // Signals the current process (e.g. SIGKILL: the supervisor restarts it).
  kill(signal) { process.kill(this.tracked.child.pid, signal); }

  async stop(signal = 'SIGTERM') {
    this.wanted = false;
    if (this.restarting) await this.restarting.catch(() => {});
    const tracked = this.tracked;
    if (!tracked || tracked.code !== undefined) return;
    try { process.kill(-tracked.child.pid, signal); } catch { /* gone */ }
    await tracked.exited;
  }

  // Resolves when a restart after generation `after` is serving.
  waitForRestart(after, timeoutMs = 30_000) {
    return waitUntil(() => this.failure ? Promise.reject(this.failure)
                                        : this.generation > after && !this.restarting && this.running,
      { timeoutMs, what: `${this.name} to restart` });
  }

  // The access lines ({"event":"request"}) this instance logged, optionally only those matching.
  requests(match = () => true) {
    return this.lines.filter((l) => l.event === 'request' && match(l));
  }
}

class Proxy {
  constructor({ kind, runDir, configPath }) {
    Object.assign(this, { kind, runDir, configPath });
    this.tracked = null;
    this.output = '';
  }

  commandArgs() {
    return this.kind === 'nginx'
      ? ['-p', this.runDir, '-c', this.configPath, '-e', path.join(this.runDir, 'error.log')]
      : ['-f', this.configPath];
  }

  async start(ports) {
    const [bin, args] = this.kind === 'nginx'
      ? [nginxBin, [...this.commandArgs(), '-g', 'daemon off;']]
      : [haproxyBin, ['-db', ...this.commandArgs()]];
    const tracked = spawnTracked(bin, args, {});
    this.tracked = tracked;
    this.output = '';
    const log = fs.createWriteStream(path.join(this.runDir, `${this.kind}.out`));
    const collect = (chunk) => {
      if (this.output.length < 1 << 20) this.output += chunk;
      log.write(chunk);
    };
    tracked.child.stdout.setEncoding('utf8').on('data', collect);
    tracked.child.stderr.setEncoding('utf8').on('data', collect);
    tracked.exited.then((code) => { tracked.code = code; log.end(); });
    try {
      await waitUntil(async () => {
        if (tracked.code !== undefined) throw new Error('exited');
        for (const port of ports) if (!(await portOpen(port))) return false;
        return true;
      }, { timeoutMs: kStartMs, what: `${this.kind} to listen` });
    } catch (e) {
      throw new Error(`${this.kind} did not start (${tracked.code ?? 'running'}): ${this.output}${this.errorLog()}`);
    }
    if (tracked.code !== undefined) throw new Error(`${this.kind} exited (${tracked.code}): ${this.output}${this.errorLog()}`);
  }

  errorLog() {
    try { return fs.readFileSync(path.join(this.runDir, 'error.log'), 'utf8'); } catch { return ''; }
  }

  // nginx -s reload with this proxy's own -p/-c (a new set of workers, the old ones finish
  // their requests). Resolves once the command has signalled the master.
  async reload() {
    if (this.kind !== 'nginx') throw new Error('reload: only for nginx here');
    await run(nginxBin, [...this.commandArgs(), '-s', 'reload']);
  }

  async stop() {
    const tracked = this.tracked;
    if (!tracked || tracked.code !== undefined) return;
    // nginx: SIGQUIT is the graceful stop (SIGTERM the fast one); HAProxy: SIGTERM stops at once.
    try { process.kill(-tracked.child.pid, this.kind === 'nginx' ? 'SIGQUIT' : 'SIGTERM'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-tracked.child.pid, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
    await tracked.exited;
    clearTimeout(timer);
  }

  get pid() { return this.tracked?.child.pid; }
}

// Starts `count` instances on data directory `data` (whose `database` file names the shared
// PostgreSQL database) and the proxy `kind` in front of them on appPort/certPort.
// `serveArgs`: more `ibgate serve` flags for every instance (--web-root, origins, timeouts, ...).
// Returns { kind, proxy, instances, start, stop, runDir }; stop() stops the proxy, then the
// instances; start() starts them again on the same ports.
export async function startProxiedInstances({ kind, count, data, runDir, appPort, certPort, ibgateBin,
                                              serveArgs = [], env = process.env }) {
  fs.mkdirSync(runDir, { recursive: true });
  // nginx's workers run as nobody (see the template) and write temporary files in the run directory.
  fs.chmodSync(runDir, 0o711);
  const ports = await freePorts(2 * count + 2);
  const taken = new Set([appPort, certPort]);
  const spare = ports.filter((p) => !taken.has(p));
  const instances = Array.from({ length: count }, (_, i) => new Instance({
    ibgateBin, data, env, serveArgs, name: `i${i + 1}`, appPort: spare[2 * i], certPort: spare[2 * i + 1],
  }));
  const configPath = await renderProxyConfig(kind, { runDir, data, appPort, certPort, instances });
  const proxy = new Proxy({ kind, runDir, configPath });

  const start = async () => {
    await Promise.all(instances.map((i) => i.start()));
    await proxy.start([appPort, certPort]);
  };
  const stop = async () => {
    await proxy.stop();
    await Promise.all(instances.map((i) => i.stop()));
  };
  try {
    await start();
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
  return { kind, proxy, instances, start, stop, runDir, appPort, certPort };
}
