// A fresh database on the PostgreSQL server of `scripts/pg run` ($IBGATE_TEST_PG), dropped when
// the test (or the test file) ends.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { onCleanup } from './cleanup.mjs';

const run = promisify(execFile);
export const pgServer = process.env.IBGATE_TEST_PG || '';

// libpq URI `url` naming database `name` instead (the server harness's pg_url_with_database).
export function withDatabase(url, name) {
  const schemeEnd = url.indexOf('://');
  const rest = url.slice(schemeEnd + 3);
  const authorityLength = rest.search(/[/?#]/);
  if (authorityLength < 0) return `${url}/${name}`;
  const authorityEnd = schemeEnd + 3 + authorityLength;
  if (url[authorityEnd] !== '/') return `${url.slice(0, authorityEnd)}/${name}${url.slice(authorityEnd)}`;
  const pathLength = url.slice(authorityEnd).search(/[?#]/);
  return `${url.slice(0, authorityEnd)}/${name}${pathLength < 0 ? '' : url.slice(authorityEnd + pathLength)}`;
}

export async function psql(sql, url = pgServer) {
  const { stdout } = await run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', sql]);
  return stdout;
}

let counter = 0;

// Creates an empty database; resolves to { url, name, drop }. `drop()` drops it (WITH FORCE: a
// server still connected does not keep it); it is also registered as a cleanup of `t` (or of
// the file), so it runs in any case. Callers that can stop their servers first call drop()
// themselves after that.
export async function createDatabase(t = null) {
  if (!pgServer) throw new Error('IBGATE_TEST_PG is not set: run the tests under scripts/pg run (tests/proxy/run does)');
  counter++;
  const name = `ibgate_e2e_${process.pid}_${counter}_${Date.now().toString(16)}`;
  await psql(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
  const drop = onCleanup(() => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {}), t);
  return { url: withDatabase(pgServer, name), name, drop };
}
