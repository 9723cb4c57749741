// The test server delivers files the way production does: the MIME types browsers require
// (application/wasm for streaming compilation), the precompressed sibling the client accepts,
// and nothing from outside its directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import zlib from 'node:zlib';
import { startStaticServer, acceptedEncodings } from './lib/static_server.mjs';

let dir;
let server;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibank-static-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(dir, 'app.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  fs.writeFileSync(path.join(dir, 'app.js'), 'console.log("plain");');
  fs.writeFileSync(path.join(dir, 'app.js.gz'), zlib.gzipSync('console.log("gzip");'));
  fs.writeFileSync(path.join(dir, 'app.js.br'), zlib.brotliCompressSync('console.log("brotli");'));
  fs.writeFileSync(path.join(os.tmpdir(), 'ibank-outside.txt'), 'secret');
  server = await startStaticServer(dir);
});
after(async () => {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(path.join(os.tmpdir(), 'ibank-outside.txt'), { force: true });
});

function get(urlPath, headers = {}) {
  return new Promise((resolve, reject) => {
    // The path is sent as written (no URL normalisation), like a hostile client would.
    const { hostname, port } = new URL(server.url);
    const req = http.get({ hostname, port, path: urlPath, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
}

test('serves index.html for the directory and wasm as application/wasm', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  const wasm = await get('/app.wasm');
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.deepEqual([...wasm.body.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
});

test('sends the brotli or gzip sibling only to clients that accept it', async () => {
  const br = await get('/app.js', { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(zlib.brotliDecompressSync(br.body).toString(), 'console.log("brotli");');
  const gz = await get('/app.js', { 'accept-encoding': 'gzip, br;q=0' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(zlib.gunzipSync(gz.body).toString(), 'console.log("gzip");');
  const plain = await get('/app.js', { 'accept-encoding': 'identity' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.toString(), 'console.log("plain");');
  assert.equal(plain.headers.vary, 'Accept-Encoding');
});

test('answers 404 for missing files and paths outside its directory', async () => {
  assert.equal((await get('/missing.js')).status, 404);
  assert.equal((await get('/../ibank-outside.txt')).status, 404);
  assert.equal((await get('/%2e%2e/ibank-outside.txt')).status, 404);
  assert.equal((await get('/%E0%A4%A')).status, 404);
});

test('parses Accept-Encoding with quality values', () => {
  assert.deepEqual([...acceptedEncodings('gzip, deflate, br;q=1.0, zstd;q=0')], ['gzip', 'deflate', 'br']);
  assert.deepEqual([...acceptedEncodings(undefined)], []);
});
