// Hostile input on the WebSocket port (issue 9.1): request-targets that made `new URL()` throw
// inside the upgrade and killed the gateway, broken handshake headers, and once connected,
// messages of every wrong shape. After each group: the same gateway and business pids, the
// clients connected before still connected and answered, and a new client served.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { TestClient, clientsOnEveryGateway } from '../helpers/ws-client.js';
import { pidsOf, startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 60_000 };
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Sends raw bytes and resolves with the status code of the first response line (0: none before the close). */
function raw(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within ${timeoutMs} ms to ${JSON.stringify(String(bytes).slice(0, 120))}`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      resolve(match ? Number(match[1]) : 0);
    });
  });
}

function upgrade(target: string, headers: Record<string, string> = {}, omit: string[] = []): string {
  const all: Record<string, string> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all).filter(([name]) => !omit.includes(name)).map(([name, value]) => `${name}: ${value}\r\n`);
  return `GET ${target} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

interface Survivors {
  gateways: number[];
  business: number[];
  clients: TestClient[];
}

async function survivors(p: Project, port: number): Promise<Survivors> {
  const status = await statusJson(p, 'ws');
  return { gateways: pidsOf(status, 'gateway'), business: pidsOf(status, 'business'), clients: (await clientsOnEveryGateway(port, 2, 1)).flat() };
}

/** The same processes run, every earlier client is connected and answered, a new one is served. */
async function assertSurvived(p: Project, port: number, before: Survivors, what: string): Promise<void> {
  const status = await statusJson(p, 'ws');
  assert.deepEqual(pidsOf(status, 'gateway'), before.gateways, `${what}: every gateway survived`);
  assert.deepEqual(pidsOf(status, 'business'), before.business, `${what}: every business worker survived`);
  assert.ok(status.workers.every((w) => w.restarts === 0), `${what}: no worker restarted`);
  for (const client of before.clients) {
    assert.ok(client.open, `${what}: client ${client.id} stayed connected`);
    assert.equal((await client.call('worker/WsTest/version')).data, 'v1', `${what}: client ${client.id} is still served`);
  }
  const fresh = await TestClient.connect(port);
  assert.equal((await fresh.call('worker/WsTest/version')).data, 'v1', `${what}: a new client is served`);
  await fresh.close();
}

test('request-targets and handshake headers that are not a WebSocket upgrade are refused, and nothing else happens', TIMEOUT, scenario(async (p) => {
  const { port } = await startWs(p, { allowedOrigins: ['https://good.example'] });
  const before = await survivors(p, port);

  // Each of these made new URL() throw inside handleUpgrade's callback (issue 9.1): now 400
  // (the last one, a raw non-ASCII byte, is refused by Node's parser before it reaches us).
  for (const target of ['//', '///', '/\\', '//[', '//%', '//:99999', '//a:b@[::1', '//x:-1/', '/\u00e9']) {
    assert.equal(await raw(port, upgrade(target)), 400, `upgrade to ${JSON.stringify(target)}`);
  }
  // Targets that parse are accepted as before (query read, odd escapes kept).
  for (const target of ['/', '/?a=1&b=%zz', '/?__proto__=x&constructor=y', '/%', '/a/../../b', '/\\\\x', '*', 'http://example.com/x?q=1']) {
    assert.equal(await raw(port, upgrade(target)), 101, `upgrade to ${JSON.stringify(target)}`);
  }
  assert.equal(await raw(port, upgrade(`/${'a'.repeat(20_000)}`)), 431, 'a target longer than the header limit');

  // Headers: Origin, the handshake's own fields, sizes.
  const cases: Array<[string, string, number]> = [
    ['an origin not allowed', upgrade('/', { Origin: 'https://evil.example' }), 403],
    ['Origin: null', upgrade('/', { Origin: 'null' }), 403],
    ['an Origin that is not a URL', upgrade('/', { Origin: 'http://[' }), 403],
    ['an Origin of 8 KiB', upgrade('/', { Origin: `https://${'a'.repeat(8192)}.example` }), 403],
    ['headers past the limit', upgrade('/', { 'X-Big': 'b'.repeat(20_000) }), 431],
    ['a bad Sec-WebSocket-Key', upgrade('/', { 'Sec-WebSocket-Key': 'not base64 of 16 bytes' }), 400],
    ['no Sec-WebSocket-Key', upgrade('/', {}, ['Sec-WebSocket-Key']), 400],
    ['Sec-WebSocket-Version 12', upgrade('/', { 'Sec-WebSocket-Version': '12' }), 400],
    ['a Sec-WebSocket-Version that is not a number', upgrade('/', { 'Sec-WebSocket-Version': 'x' }), 400],
    ['no Upgrade header', upgrade('/', {}, ['Upgrade']), 426],
    ['Upgrade: h2c', upgrade('/', { Upgrade: 'h2c' }), 400],
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400],
    ['bytes that are not text', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]).toString('latin1'), 400],
  ];
  for (const [what, request, status] of cases) assert.equal(await raw(port, request), status, what);

  await assertSurvived(p, port, before, 'after the handshake corpus');
  await Promise.all(before.clients.map((c) => c.close()));
}));

test('messages of every wrong shape get an error reply on an open connection, and nothing else happens', TIMEOUT, scenario(async (p) => {
  const { port } = await startWs(p, { maxPayload: 256 * 1024 });
  const before = await survivors(p, port);
  const sender = await TestClient.connect(port);

  const badMessages: Array<[string, string]> = [
    ['not JSON', 'hello'],
    ['half a JSON object', '{"pathInfo":'],
    ['an array', '[1,2,3]'],
    ['a number', '42'],
    ['null', 'null'],
    ['no pathInfo', '{"a":1}'],
    ['a numeric pathInfo', '{"pathInfo":42}'],
    ['an object pathInfo', '{"pathInfo":{"toString":"x"}}'],
    ['an array pathInfo', '{"pathInfo":["worker","WsTest","version"]}'],
    ['a null pathInfo', '{"pathInfo":null}'],
    ['__proto__ keys', '{"__proto__":{"pathInfo":"worker/WsTest/version","polluted":true},"constructor":{"prototype":{"x":1}}}'],
    ['nesting 50,000 deep', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
    ['an object nested 20,000 deep under pathInfo', `{"pathInfo":"worker/WsTest/nope","x":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`],
  ];
  for (const [what, text] of badMessages) {
    sender.send(text);
    const reply = JSON.parse(await sender.next(undefined, 10_000, `the reply to ${what}`)) as { type: string; data: { code: number } };
    assert.equal(reply.type, 'error', `${what}: ${JSON.stringify(reply)}`);
    assert.ok([400, 404].includes(reply.data.code), `${what}: ${JSON.stringify(reply).slice(0, 200)}`);
  }

  const badPaths = [
    '', '/', '//', '..', '../../etc/passwd', 'worker/WsTest/../WsTest/version', 'worker/WsTest/constructor',
    'worker/WsTest/__proto__', 'worker/WsTest/_secret', 'worker/WsTest/inherited', '__proto__/x/y', 'worker/__proto__/toString',
    'worker/WsTest/version\u0000', 'worker/WsTest/vérsion', 'a/b/c/d/e/f', 'x'.repeat(10_000), '%2e%2e/%2e%2e/x', 'worker\\WsTest\\version',
  ];
  for (const pathInfo of badPaths) {
    const reply = await sender.call<{ code: number }>(pathInfo);
    assert.equal(reply.type, 'error', `pathInfo ${JSON.stringify(pathInfo.slice(0, 40))}: ${JSON.stringify(reply).slice(0, 200)}`);
    assert.ok([400, 404].includes(reply.data.code), `pathInfo ${JSON.stringify(pathInfo.slice(0, 40))}: ${JSON.stringify(reply).slice(0, 200)}`);
  }
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);

  sender.send(Buffer.from([0x00, 0xff, 0x7b, 0x7d]));
  const binary = JSON.parse(await sender.next(undefined, 10_000, 'the reply to a binary frame')) as { type: string; data: { code: number } };
  assert.deepEqual([binary.type, binary.data.code], ['error', 400]);
  assert.ok(sender.open, 'every bad message left the connection open');
  assert.equal((await sender.call('worker/WsTest/version')).data, 'v1');

  // Past maxPayload: that client is closed with 1009, and only that client.
  sender.send(JSON.stringify({ pathInfo: 'worker/WsTest/version', pad: 'x'.repeat(300_000) }));
  assert.equal((await sender.closed).code, 1009);

  await assertSurvived(p, port, before, 'after the message corpus');
  await Promise.all(before.clients.map((c) => c.close()));
}));
