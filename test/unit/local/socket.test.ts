// Real sockets in a temp folder: the file is 0600 as soon as it exists, a stale file is
// replaced, and a path too long for sun_path is refused with its code before anything is made.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DroverError } from '../../../src/errors/index.ts';
import { MAX_SOCKET_PATH_BYTES, listenLocalSocket } from '../../../src/local/socket.ts';

const posix = { skip: process.platform === 'win32' ? 'Unix sockets only' : false };

test('listenLocalSocket: mode 0600 from bind on, the umask restored, a stale file replaced', posix, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drover-sock-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const socketPath = path.join(dir, 'sub', 'a.sock');
  fs.mkdirSync(path.dirname(socketPath));
  fs.writeFileSync(socketPath, 'left by a dead process');
  const umask = process.umask();
  const server = await listenLocalSocket(socketPath, 'test socket', (socket) => socket.end('hi\n'));
  t.after(() => server.close());
  assert.equal(process.umask(), umask, 'umask restored');
  assert.equal(fs.statSync(socketPath).mode & 0o777, 0o600);
  assert.ok(fs.statSync(socketPath).isSocket());
  const said = await new Promise<string>((resolve, reject) => {
    let text = '';
    net.connect(socketPath).on('data', (d) => (text += d)).on('end', () => resolve(text)).on('error', reject);
  });
  assert.equal(said, 'hi\n');
});

test('listenLocalSocket: a path longer than sun_path allows is DROVER_ERR_SOCKET_PATH, counted in bytes', posix, async () => {
  const dir = path.join(os.tmpdir(), 'é'.repeat(30)); // 60 bytes in 30 characters
  const socketPath = path.join(dir, 'x'.repeat(MAX_SOCKET_PATH_BYTES - Buffer.byteLength(dir) - 1 + 1));
  assert.ok(socketPath.length <= MAX_SOCKET_PATH_BYTES, 'short enough in characters, too long in bytes');
  await assert.rejects(listenLocalSocket(socketPath, 'test socket', () => undefined), (error: unknown) => {
    assert.ok(error instanceof DroverError);
    assert.equal(error.code, 'DROVER_ERR_SOCKET_PATH');
    assert.match(error.message, /test socket path is too long/);
    return true;
  });
  assert.equal(fs.existsSync(dir), false, 'nothing created');
});
