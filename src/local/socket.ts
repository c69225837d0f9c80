// Listening on a local socket (a Unix socket; a named pipe on Windows) that only drover's user
// may open: the control socket and the gateways' sockets. One helper, because two copies had
// drifted (one chmodded after listen, leaving a window where others could connect; they
// measured the path length differently).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { droverError } from '../errors/index.js';

/** A sun_path holds 108 bytes on Linux, 104 on macOS (with its NUL): the shorter of the two. */
export const MAX_SOCKET_PATH_BYTES = 103;

/** Throws DROVER_ERR_SOCKET_PATH when `socketPath` does not fit a Unix socket address. */
export function checkSocketPath(socketPath: string, what: string): void {
  if (process.platform === 'win32') return;
  const bytes = Buffer.byteLength(socketPath);
  if (bytes <= MAX_SOCKET_PATH_BYTES) return;
  throw droverError('DROVER_ERR_SOCKET_PATH', { what, path: socketPath, bytes, max: MAX_SOCKET_PATH_BYTES });
}

/**
 * Listens on `socketPath`, created with mode 0600 from the start: the umask is set around
 * bind() (inside listen()), so there is no moment when another user could connect. A file
 * left there is removed first: callers hold the lock that says its owner is gone.
 */
export async function listenLocalSocket(socketPath: string, what: string, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  checkSocketPath(socketPath, what);
  if (process.platform !== 'win32') {
    fs.mkdirSync(path.dirname(socketPath), { recursive: true });
    fs.rmSync(socketPath, { force: true });
  }
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const umask = process.platform === 'win32' ? null : process.umask(0o177);
    try {
      server.listen({ path: socketPath, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      if (umask !== null) process.umask(umask);
    }
  });
  return server;
}
