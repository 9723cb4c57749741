// The proxy tests' HTTPS client and users: one request per TLS connection of its own (as a new
// customer's browser would open), to the proxy's origins or straight to an instance, with or
// without a client certificate, from a chosen loopback address.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { waitUntil } from '../e2e/lib/proxy.mjs';

export const kRequestTimeoutMs = 30_000;   // one request: a hung server fails the test instead of stalling it
export const kPassword = 'Proxy-2026-pass';

// Resolves to { status, json, body, headers, cookie, requestId } (status 0 and `failure` when
// no HTTP answer came). `port` on 127.0.0.1 (SNI localhost); `localAddress` the client's own
// loopback address; `headers` added as given (an array value sends the header once per element).
export function send({ port, method = 'POST', target, body = null, cert = null, cookie = null, csrf = null, headers = {},
                       localAddress = undefined, ca, origin = null }) {
  return new Promise((resolve) => {
    const payload = body === null ? '' : JSON.stringify(body);
    const h = { Host: `localhost:${port}`, ...headers };
    if (method !== 'GET') {
      h['Content-Type'] = 'application/json';
      h['Content-Length'] = Buffer.byteLength(payload);
    }
    if (origin) h.Origin = origin;
    if (cookie) h.Cookie = cookie;
    if (csrf) h['X-CSRF-Token'] = csrf;
    const req = https.request({
      host: '127.0.0.1', port, servername: 'localhost', method, path: target, headers: h, localAddress,
      ca, cert: cert?.cert, key: cert?.key, agent: false, timeout: kRequestTimeoutMs,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        const setCookie = (res.headers['set-cookie'] || [])[0] || '';
        resolve({ status: res.statusCode, json, body: text, headers: res.headers, cookie: setCookie.split(';')[0],
                  requestId: res.headers['x-request-id'] || '' });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve({ status: 0, json: null, body: '', headers: {}, failure: e.message, requestId: '' }));
    req.end(payload);
  });
}

export const errorOf = (reply) => reply.json?.error ?? '';
export const describe = (reply) => `${reply.status} ${errorOf(reply) || reply.failure || ''}`.trim();
export function tally(replies) {
  const counts = {};
  for (const r of replies) counts[describe(r)] = (counts[describe(r)] || 0) + 1;
  return counts;
}

// The API as the page calls it, on the certificate origin `port` (the proxy's or an instance's).
export function api(server, port = Number(new URL(server.certOrigin).port), extra = {}) {
  const ca = fs.readFileSync(path.join(server.data, 'pki/server-ca.pem'));
  const origin = new URL(server.appUrl).origin;
  const call = (options) => send({ port, ca, origin, ...extra, ...options });
  return {
    port,
    call,
    identify: (cert, options = {}) => call({ target: '/api/v1/identify', body: {}, cert, ...options }),
    login: (cert, ticket, password = kPassword, options = {}) =>
      call({ target: '/api/v1/login', body: { ticket, password }, cert, ...options }),
    session: (cert, cookie, options = {}) => call({ method: 'GET', target: '/api/v1/session', cert, cookie, ...options }),
    logout: (cert, cookie, csrf, options = {}) => call({ target: '/api/v1/logout', body: {}, cert, cookie, csrf, ...options }),
    // identify + login; resolves to the login's reply (or identify's when that failed).
    async fullLogin(cert, password = kPassword, options = {}) {
      const i = await this.identify(cert, options);
      if (i.status !== 200) return i;
      return this.login(cert, i.json.ticket, password, options);
    },
  };
}

// Adds `id` with kPassword and a certificate of its own; resolves to { id, cert, key, pem,
// fingerprint, clientCertificates } (the last for a browser context).
export async function addUser(server, id) {
  await server.addUser(id, kPassword);
  const issued = await server.issueCert(id, { days: 30 });
  const { certPath, keyPath } = issued.clientCertificates[0];
  const pem = fs.readFileSync(certPath, 'utf8');
  return { id, cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath), pem, fingerprint: issued.fingerprint,
           clientCertificates: issued.clientCertificates };
}

// The forms a proxy puts the certificate in: nginx's $ssl_client_escaped_cert, HAProxy's
// base64 DER.
export const nginxForm = (pem) => encodeURIComponent(pem);
export function haproxyForm(pem) {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return b64;
}

// Which instance logged the request with id `requestId` (its access line); null when none did.
export function instanceOf(cluster, requestId) {
  for (const instance of cluster.instances) {
    if (instance.lines.some((l) => l.event === 'request' && l.request_id === requestId)) return instance;
  }
  return null;
}

// The same, waiting for the line (an instance may write it just after the answer left).
export async function waitForInstanceOf(cluster, requestId, timeoutMs = 10_000) {
  assert.ok(requestId, 'the answer carries X-Request-Id');
  let found = null;
  await waitUntil(() => (found = instanceOf(cluster, requestId)) !== null,
    { timeoutMs, what: `an instance's access line for request ${requestId}` });
  return found;
}

export function sessionsOf(listing, id) {
  return listing.split('\n').filter((l) => l.split(/\s+/)[0] === id);
}

export function assertOk(reply, what) {
  assert.equal(reply.status, 200, `${what}: ${describe(reply)} ${reply.body?.slice(0, 300) ?? ''}`);
}
