// Loopback ports for the servers tests start (browser and cluster tests alike).
import net from 'node:net';

// A loopback port nothing listens on at the moment (closed again before it is returned).
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
