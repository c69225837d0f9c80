// WebSocket messages: {"pathInfo": "module/Controller/action"} reaches declared actions only;
// replies come in the seed's envelope; every kind of bad message gets an error reply and the
// connection stays open; a client's messages are answered in order; `ping` gets `pong`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { TestClient, parseReply } from '../helpers/ws-client.js';
import { startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 90_000 };

const REFUSED: Array<[string, number]> = [
  ['worker/WsTest/constructor', 404],
  ['worker/WsTest/_secret', 400],
  ['worker/WsTest/__proto__', 400],
  ['worker/WsTest/..', 400],
  ['worker/../worker/WsTest/whoami', 400],
  ['worker/WsTest/toString', 404],
  ['worker/WsTest/hasOwnProperty', 404],
  ['worker/WsTest/inherited', 404],
  ['worker/WsTest/prototype', 404],
  ['worker/__proto__/whoami', 400],
  ['__proto__/WsTest/whoami', 400],
  ['worker/wstest/whoami', 404],
  ['worker/Missing/index', 404],
  ['worker/WsTest/whoami/extra', 400],
  ['worker/Probe/onWebSocketConnect', 404],
  ['', 400],
];

test('messages route to actions; bad ones get error replies and the connection stays open', TIMEOUT, scenario(async (p) => {
  const { port } = await startWs(p, { gateway: { count: 1 }, business: { count: 1 } });
  const client = await TestClient.connect(port);

  client.send('ping');
  assert.equal(await client.next(), 'pong', 'the text ping is answered pong');

  const before = Math.floor(Date.now() / 1000);
  const reply = await client.call<{ clientId: string; echo: unknown; count: number }>('worker/WebSocketExamples/message', { hello: 'world' });
  assert.equal(reply.type, 'message');
  assert.equal(reply.path, 'worker/WebSocketExamples/message');
  assert.deepEqual(Object.keys(reply).sort(), ['data', 'path', 'time', 'type']);
  assert.ok(Number.isInteger(reply.time) && reply.time >= before && reply.time <= before + 5, `time in seconds: ${reply.time}`);
  assert.match(reply.data.clientId, /^1-[a-z0-9]+-[a-z0-9]+$/, 'a client id naming gateway 1');
  assert.deepEqual(reply.data.echo, { hello: 'world' });
  const again = await client.call<{ count: number }>('worker/WebSocketExamples/message');
  assert.equal(again.data.count, reply.data.count + 1, 'the session counts per client');

  const errors: Array<[string, string | Buffer, number, RegExp]> = [
    ['not JSON', 'hello there', 400, /not JSON/],
    ['a JSON array', '[1,2]', 400, /no "pathInfo"/],
    ['no pathInfo', '{"path":"worker/WsTest/whoami"}', 400, /no "pathInfo"/],
    ['a number pathInfo', '{"pathInfo":42}', 400, /no "pathInfo"/],
    ['binary', Buffer.from([1, 2, 3]), 400, /binary/],
  ];
  for (const [what, data, code, message] of errors) {
    client.send(data);
    const error = parseReply(await client.next(undefined, 10_000, `the error reply for ${what}`))!;
    assert.equal(error.type, 'error', what);
    assert.equal((error.data as { code: number }).code, code, `${what}: ${JSON.stringify(error)}`);
    assert.match((error.data as { message: string }).message, message, what);
  }

  for (const [pathInfo, code] of REFUSED) {
    const error = await client.call<{ code: number; message: string }>(pathInfo);
    assert.equal(error.type, 'error', `${pathInfo} → ${JSON.stringify(error)}`);
    assert.equal(error.data.code, code, `${pathInfo} → ${JSON.stringify(error)}`);
    assert.doesNotMatch(JSON.stringify(error), /never routed|inherited action reached/);
  }

  const thrown = await client.call<{ code: number; message: string }>('worker/WsTest/boom');
  assert.deepEqual([thrown.type, thrown.data.code, thrown.data.message], ['error', 500, 'internal error'], 'a bug is a 500 that does not leak its message');
  const refused = await client.call<{ code: number; message: string }>('worker/WsTest/refuse');
  assert.deepEqual([refused.type, refused.data.code, refused.data.message], ['error', 403, 'you may not do that'], 'an error meant for the client');

  // An action that returns nothing sends nothing; ctx.send() sends extra replies, in order.
  client.send(JSON.stringify({ pathInfo: 'worker/WsTest/nothing' }));
  const twice = [parseReply(await (client.send(JSON.stringify({ pathInfo: 'worker/WsTest/twice' })), client.next()))!, parseReply(await client.next())!];
  assert.deepEqual(twice.map((r) => [r.type, r.data, r.path]), [
    ['twice', { first: true }, 'worker/WsTest/twice'],
    ['twice', { second: true }, 'worker/WsTest/twice'],
  ]);

  assert.ok(client.open, 'the connection survived every error');
  const whoami = await client.whoami();
  assert.equal(whoami.clientId, reply.data.clientId);

  const status = await statusJson(p, 'ws');
  const gateway = status.workers.find((w) => w.role === 'gateway')!;
  const business = status.workers.find((w) => w.role === 'business')!;
  assert.equal(gateway.connections, 1, 'the gateway counts its client');
  const routed = 2 + errors.length - 1 + REFUSED.length + 2 + 2 + 1; // binary is answered by the gateway
  assert.equal(business.requests, routed, 'the business worker counts every message it routed');
  assert.deepEqual(status.exits, []);
  // Gateways run with a capped young generation (src/master/worker-flags.ts); business workers as the master does.
  if (fs.existsSync(`/proc/${gateway.pid}/cmdline`)) {
    const flags = (pid: number | null) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(flags(gateway.pid).includes('--max-semi-space-size=2'), `gateway: ${flags(gateway.pid).join(' ')}`);
    assert.ok(!flags(business.pid).some((f) => f.includes('semi-space')), `business: ${flags(business.pid).join(' ')}`);
  }
  await client.close();
}, { allowLog: [/worker\/WsTest\/boom failed: Error: kaboom: a bug in the action/, /^\s+at /] }));

test("each client's messages are answered in order, whatever each action takes", TIMEOUT, scenario(async (p) => {
  const { port } = await startWs(p);
  const clients = await Promise.all(Array.from({ length: 6 }, () => TestClient.connect(port)));
  await Promise.all(
    clients.map(async (client, c) => {
      const count = 40;
      // Sent back to back: a slow message must not be overtaken by the quick ones behind it.
      for (let n = 0; n < count; n++) client.send(JSON.stringify({ pathInfo: 'worker/WsTest/seq', n, ms: (n + c) % 7 === 0 ? 30 : 0 }));
      const got: number[] = [];
      for (let n = 0; n < count; n++) got.push((parseReply(await client.next())!.data as { n: number }).n);
      assert.deepEqual(got, Array.from({ length: count }, (_, n) => n), `client ${c}'s replies in order`);
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
}));
