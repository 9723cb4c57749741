// scripts/cluster.d/render, case by case, and both templates rendered for 1 and 16 instances and
// checked by the proxies themselves (nginx -t, haproxy -c). No server is started.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runCleanup, onCleanup } from '../e2e/lib/cleanup.mjs';
import { renderScript, proxyTemplates, renderProxyConfig, nginxBin, haproxyBin } from '../e2e/lib/proxy.mjs';

const run = promisify(execFile);
after(runCleanup);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ibank-render-'));
onCleanup(() => fs.rmSync(work, { recursive: true, force: true }));

// Renders `template` (text) with `args`; resolves to { code, stdout, stderr }.
async function render(template, args) {
  const file = path.join(work, `t-${Math.random().toString(16).slice(2)}.in`);
  fs.writeFileSync(file, template);
  try {
    const { stdout, stderr } = await run('python3', [renderScript, file, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const cases = [
  { name: 'a value fills every place', template: 'a @X@ b @X@;\n', args: ['--set', 'X=1'], out: 'a 1 b 1;\n' },
  { name: 'an instance line is repeated per instance, in order',
    template: 'up {\n  server @INSTANCE_APP@; # @INSTANCE_NAME@\n}\n',
    args: ['--instance', 'i1,127.0.0.1:1,127.0.0.1:2', '--instance', 'i2,127.0.0.1:3,127.0.0.1:4'],
    out: 'up {\n  server 127.0.0.1:1; # i1\n  server 127.0.0.1:3; # i2\n}\n' },
  { name: 'a comment names a placeholder without a value as it is', template: '# @NOT_SET@ and @X@\nx @X@;\n',
    args: ['--set', 'X=v'], out: '# @NOT_SET@ and v\nx v;\n' },
  { name: 'a placeholder without a value is refused', template: 'x @Y@;\n', args: [], error: /@Y@ has no value/ },
  { name: 'a value the template does not name is refused', template: 'x;\n', args: ['--set', 'TYPO=1'], error: /set but not in the template: TYPO/ },
  { name: 'a value with a semicolon is refused', template: 'x @X@;\n', args: ['--set', 'X=a;b'], error: /may not hold/ },
  { name: 'a value with a space is refused', template: 'x @X@;\n', args: ['--set', 'X=a b'], error: /may not hold/ },
  { name: 'a value with a brace is refused', template: 'x @X@;\n', args: ['--set', 'X=}'], error: /may not hold/ },
  { name: 'a value with a quote is refused', template: 'x @X@;\n', args: ['--set', 'X="'], error: /may not hold/ },
  { name: 'a value with a newline is refused', template: 'x @X@;\n', args: ['--set', 'X=a\nb'], error: /may not hold/ },
  { name: 'a value ending in a newline is refused', template: 'x @X@;\n', args: ['--set', 'X=a\n'], error: /may not hold/ },
  { name: 'an empty value is refused', template: 'x @X@;\n', args: ['--set', 'X='], error: /may not hold/ },
  { name: 'an instance line without instances is refused', template: 'server @INSTANCE_APP@;\n', args: [], error: /no --instance/ },
  { name: 'an instance address must be HOST:PORT', template: 'server @INSTANCE_APP@;\n',
    args: ['--instance', 'i1,127.0.0.1,127.0.0.1:2'], error: /not HOST:PORT/ },
  { name: 'two instances with one name are refused', template: 'server @INSTANCE_APP@;\n',
    args: ['--instance', 'i1,127.0.0.1:1,127.0.0.1:2', '--instance', 'i1,127.0.0.1:3,127.0.0.1:4'], error: /one name/ },
  { name: 'INSTANCE_* cannot be set by hand', template: 'x @INSTANCE_APP@;\n', args: ['--set', 'INSTANCE_APP=1:2'], error: /not a placeholder name/ },
];

for (const c of cases) {
  test(`render: ${c.name}`, async () => {
    const r = await render(c.template, c.args);
    if (c.error) {
      assert.equal(r.code, 2, `exit status: ${r.stderr}`);
      assert.match(r.stderr, c.error);
      assert.equal(r.stdout, '');
    } else {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, c.out);
    }
  });
}

test('render --out writes nothing when the template is refused', async () => {
  const out = path.join(work, 'refused.conf');
  const r = await render('x @Y@;\n', ['--out', out]);
  assert.equal(r.code, 2);
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(work).filter((f) => f.startsWith('.render-')), [], 'no temporary file is left');
});

// A data directory's PKI file names (the proxies only read them when checking the configuration).
async function pki() {
  const data = path.join(work, 'data');
  if (fs.existsSync(path.join(data, 'pki/server.pem'))) return data;
  fs.mkdirSync(path.join(data, 'pki'), { recursive: true });
  const p = (n) => path.join(data, 'pki', n);
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', p('server.key'), '-out', p('server.pem'), '-days', '2', '-subj', '/CN=localhost']);
  fs.copyFileSync(p('server.pem'), p('ca.pem'));
  fs.copyFileSync(p('server.pem'), p('server-ca.pem'));
  return data;
}

for (const kind of Object.keys(proxyTemplates)) {
  for (const count of [1, 16]) {
    test(`the ${kind} template with ${count} instance(s) is a valid ${kind} configuration`, { timeout: 60_000 }, async () => {
      const data = await pki();
      const runDir = path.join(work, `${kind}-${count}`);
      fs.mkdirSync(runDir, { recursive: true });
      const instances = Array.from({ length: count }, (_, i) => ({ name: `i${i + 1}`, appPort: 20001 + 2 * i, certPort: 20002 + 2 * i }));
      const config = await renderProxyConfig(kind, { runDir, data, appPort: 18443, certPort: 18444, instances });
      const text = fs.readFileSync(config, 'utf8');
      assert.doesNotMatch(text.replace(/#.*$/gm, ''), /@[A-Z_]+@/, 'every placeholder outside comments is filled');
      // Each instance on both origins' upstream lists.
      for (const i of instances) {
        assert.ok(text.includes(`127.0.0.1:${i.appPort}`) && text.includes(`127.0.0.1:${i.certPort}`), i.name);
      }
      if (kind === 'nginx') {
        await run(nginxBin, ['-t', '-q', '-p', runDir, '-c', config, '-e', path.join(runDir, 'error.log')]);
      } else {
        await run(haproxyBin, ['-c', '-q', '-f', config]);
      }
    });
  }
}
