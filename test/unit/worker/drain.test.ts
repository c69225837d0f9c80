// HttpConnections' bookkeeping against a real http.Server and real client sockets: the
// counters and the `connections` list stay right as connections close in any order (closed
// sockets are dropped from the list in batches, with no listener on them), a closed socket is
// not held on to, and a drain ends when the last one closes.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { HttpConnections } from '../../../src/worker/drain.ts';
import { WorkerCounters } from '../../../src/worker/stats.ts';

/** Sends one request on a kept-alive socket and resolves with the whole response. */
function request(socket: net.Socket, path: string): Promise<string> {
  return within(requestOnce(socket, path), 5000, `the response to ${path}`);
}

function requestOnce(socket: net.Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: string) => {
      text += chunk;
      if (!text.endsWith('\r\n\r\nok') && !/\r\n\r\n2\r\nok\r\n0\r\n\r\n$/.test(text)) return;
      socket.off('data', onData);
      resolve(text);
    };
    socket.on('data', onData);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  });
}

test('counters and the connection list follow connections closing in any order; a drain ends with the last', { timeout: 20_000 }, async () => {
  const server = http.createServer({ keepAliveTimeout: 5000 });
  const counters = new WorkerCounters();
  const connections = new HttpConnections(server, counters, 5000, false);
  let inflightSeen = -1;
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    connections.onRequest(req, res);
    inflightSeen = counters.snapshot().inflight;
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const sockets: net.Socket[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.setEncoding('utf8');
      await once(s, 'connect');
      sockets.push(s);
      for (let r = 0; r <= i; r++) assert.match(await request(s, `/${i}/${r}`), /^HTTP\/1\.1 200/);
    }
    assert.equal(inflightSeen, 1, 'one request in flight while it is handled');
    assert.equal(counters.requests, 1 + 2 + 3 + 4);
    assert.equal(counters.snapshot().connections, 4);
    assert.deepEqual(connections.list().map((c) => c.requests).sort(), [1, 2, 3, 4]);
    // Close the second one, then the first.
    for (const i of [1, 0]) {
      const closed = once(sockets[i]!, 'close');
      sockets[i]!.destroy();
      await closed;
    }
    await within(waitFor(() => counters.snapshot().connections === 2), 5000, 'two connections left');
    assert.deepEqual(connections.list().map((c) => c.requests).sort(), [3, 4]);
    assert.equal(counters.snapshot().inflight, 0);
    // A graceful drain: further requests are answered with Connection: close.
    const drained = connections.drain();
    assert.match(await request(sockets[3]!, '/last'), /connection: close/i);
    sockets[2]!.destroy();
    await within(drained, 5000, 'the drain to end after the last connection closed');
    assert.equal(counters.snapshot().connections, 0);
    assert.deepEqual(connections.list(), []);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

test('in flight is what node has on the socket: counted while answered, closed by a drain, swept once idle for keepAliveTimeout', { timeout: 20_000 }, async () => {
  const keepAliveTimeout = 300;
  const server = http.createServer({ keepAliveTimeout: 60_000 });
  const counters = new WorkerCounters();
  const connections = new HttpConnections(server, counters, keepAliveTimeout, false);
  const held: http.ServerResponse[] = [];
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    connections.onRequest(req, res);
    if (req.url === '/hold') held.push(res);
    else res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const sockets: net.Socket[] = [];
  const open = async () => {
    const s = net.connect(port, '127.0.0.1');
    s.setEncoding('utf8');
    await once(s, 'connect');
    sockets.push(s);
    return s;
  };
  try {
    const [busy, idle, neverUsed] = [await open(), await open(), await open()];
    assert.match(await request(idle, '/'), /^HTTP\/1\.1 200/);
    const answer = new Promise<string>((resolve) => {
      let text = '';
      busy.on('data', (chunk: string) => (text += chunk) && text.endsWith('\r\n\r\nlate') && resolve(text));
    });
    busy.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(waitFor(() => held.length === 1), 5000, 'the held request');
    assert.equal(counters.snapshot().inflight, 1, 'the held response is in flight');
    const drained = connections.drain();
    // Its headers were not out: it closes its connection; the idle sockets go after keepAliveTimeout.
    held[0]!.end('late');
    assert.match(await within(answer, 5000, 'the held answer'), /connection: close/i);
    const closed = [once(busy, 'close'), once(idle, 'close'), once(neverUsed, 'close')];
    await within(Promise.all(closed), 5000, 'every connection to close');
    await within(drained, 5000, 'the drain to end');
    assert.equal(counters.snapshot().inflight, 0);
    assert.equal(counters.snapshot().connections, 0);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

test('a closed connection is let go without a listener on it: once more connections came, nothing holds its socket', { timeout: 30_000 }, async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const server = http.createServer();
  const counters = new WorkerCounters();
  const connections = new HttpConnections(server, counters, 5000, false);
  let first: WeakRef<net.Socket> | null = null;
  server.on('connection', (socket: net.Socket) => void (first ??= new WeakRef(socket)));
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    connections.onRequest(req, res);
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  try {
    // One connection at a time, each closed by the server (Connection: close) before the next.
    for (let i = 0; i < 150; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.resume();
      s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await within(once(s, 'close'), 5000, `connection ${i} to close`);
    }
    // Before anything asks for the count (which compacts the list too).
    for (let i = 0; i < 3 && first!.deref() !== undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    assert.equal(first!.deref(), undefined, 'the first socket was collected');
    await within(waitFor(() => counters.snapshot().connections === 0), 5000, 'no connection left');
    assert.equal(counters.requests, 150);
  } finally {
    server.close();
  }
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Fails instead of hanging, so that the finally block still closes everything. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
