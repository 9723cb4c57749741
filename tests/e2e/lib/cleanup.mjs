// Everything a test starts (servers, browsers, child processes) is registered here, so it is
// stopped when the test ends - passed or failed - and, as a last resort, when the test process
// exits or is interrupted.
import { spawn } from 'node:child_process';
import os from 'node:os';

const pending = new Set();      // async stop functions not yet run
const children = new Set();     // child processes to kill synchronously at exit

// Registers `stop` to run after test `t` (node:test TestContext) when given, else at the end of
// the test file (runCleanup / process exit). Returns a function that runs it once, now.
export function onCleanup(stop, t = null) {
  let done = null;
  const runOnce = () => {
    pending.delete(runOnce);
    done ??= Promise.resolve().then(stop);
    return done;
  };
  pending.add(runOnce);
  if (t) t.after(runOnce);
  return runOnce;
}

// Runs every registered stop function (for `after()` hooks of a test file).
export async function runCleanup() {
  await Promise.allSettled([...pending].map((stop) => stop()));
}

// spawn() whose process (and its process group) is killed when test `t` ends or the test
// process exits. Resolves the returned `exited` promise with the exit code.
export function spawnTracked(command, args, options = {}, t = null) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options, detached: true });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    children.delete(child);
    resolve(code ?? signal);
  }));
  onCleanup(async () => {
    if (children.has(child)) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  }, t);
  return { child, exited };
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

process.once('exit', () => {
  for (const child of children) killGroup(child, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    for (const child of children) killGroup(child, 'SIGKILL');
    runCleanup().finally(() => process.exit(128 + os.constants.signals[signal]));
  });
}
