// A static file server for the browser tests: serves one directory on 127.0.0.1 with an
// ephemeral port, with the MIME types browsers insist on (application/wasm for streaming
// compilation) and the precompressed .br / .gz siblings when the request accepts them, the way
// the production server delivers build/dist.
//
//   const server = await startStaticServer(dir);   // server.url = 'http://127.0.0.1:PORT/'
//   ...
//   await server.stop();
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.otf': 'font/otf',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeTypeOf(filePath) {
  return mimeTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

// Encodings the client accepts, from an Accept-Encoding header ("gzip, deflate, br;q=1.0, *;q=0").
export function acceptedEncodings(header) {
  const accepted = new Set();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    accepted.add(name);
  }
  return accepted;
}

// The file to send for a request path: null when it is outside the root or missing.
function resolveFile(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  let filePath = path.join(root, path.normalize(decoded));
  if (filePath !== root && !filePath.startsWith(root + path.sep)) return null;
  try {
    if (fs.statSync(filePath).isDirectory()) filePath = path.join(filePath, 'index.html');
    return fs.statSync(filePath).isFile() ? filePath : null;
  } catch {
    return null;
  }
}

function handle(root, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const filePath = resolveFile(root, new URL(req.url, 'http://localhost').pathname);
  if (filePath === null) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  const headers = {
    'Content-Type': mimeTypeOf(filePath),
    'Cache-Control': 'no-store',
    Vary: 'Accept-Encoding',
  };
  let sendPath = filePath;
  const accepted = acceptedEncodings(req.headers['accept-encoding']);
  for (const [encoding, suffix] of [['br', '.br'], ['gzip', '.gz']]) {
    if (accepted.has(encoding) && fs.existsSync(filePath + suffix)) {
      sendPath = filePath + suffix;
      headers['Content-Encoding'] = encoding;
      break;
    }
  }
  headers['Content-Length'] = fs.statSync(sendPath).size;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  fs.createReadStream(sendPath).on('error', () => res.destroy()).pipe(res);
}

export async function startStaticServer(directory) {
  const root = path.resolve(directory);
  if (!fs.existsSync(root)) throw new Error(`static server: directory ${root} does not exist`);
  const server = http.createServer((req, res) => handle(root, req, res));
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  let stopped = null;
  return {
    url: `http://127.0.0.1:${port}/`,
    // Idempotent; closes keep-alive connections the browser may still hold open.
    stop() {
      stopped ??= new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopped;
    },
  };
}
