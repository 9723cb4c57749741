// Client certificates that ibgate's own `cert issue` would never make - expired, not yet valid,
// from another CA, for another institution, for the wrong purpose, not registered - made with
// the openssl command line, so the browser can present them over real TLS.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
let counter = 0;

// Writes a self-signed CA of another issuer (named `cn`) into `dir`; returns { certPath, keyPath }.
export async function makeOtherCa(dir, { cn = 'Another Bank Client CA' } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const certPath = path.join(dir, 'other-ca.pem');
  const keyPath = path.join(dir, 'other-ca.key');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '30', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { certPath, keyPath };
}

// Makes a client certificate for `cn` signed by `ca` ({ certPath, keyPath }).
// `start`/`end`: validity as openssl ca dates (YYYYMMDDHHMMSSZ); `eku`: extendedKeyUsage.
export async function makeClientCert(dir, ca, { cn, start = null, end = null, eku = 'clientAuth' }) {
  counter++;
  const base = path.join(dir, `client-${counter}`);
  fs.mkdirSync(base, { recursive: true });
  const keyPath = path.join(base, 'key.pem');
  const csrPath = path.join(base, 'req.csr');
  const certPath = path.join(base, 'cert.pem');
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=${cn}`]);
  fs.writeFileSync(path.join(base, 'ext.cnf'),
    `keyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\nbasicConstraints=CA:FALSE\n`);
  fs.writeFileSync(path.join(base, 'index.txt'), '');
  fs.writeFileSync(path.join(base, 'serial'), (0x1000 + counter).toString(16).padStart(4, '0') + '\n');
  fs.writeFileSync(path.join(base, 'ca.cnf'), [
    '[ca]', 'default_ca = test', '[test]', `database = ${base}/index.txt`, `new_certs_dir = ${base}`,
    `serial = ${base}/serial`, 'default_md = sha256', 'policy = any', 'unique_subject = no',
    'default_days = 30', '[any]', 'commonName = supplied', ''].join('\n'));
  const args = ['ca', '-batch', '-notext', '-config', path.join(base, 'ca.cnf'), '-cert', ca.certPath,
    '-keyfile', ca.keyPath, '-in', csrPath, '-out', certPath, '-extfile', path.join(base, 'ext.cnf')];
  if (start) args.push('-startdate', start);
  if (end) args.push('-enddate', end);
  await run('openssl', args);
  return { certPath, keyPath };
}

// openssl ca date `days` from now (negative: in the past).
export function caDate(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}
