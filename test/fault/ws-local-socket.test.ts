// Hostile input on the local sockets (a local process of the same user can open them: mode
// 0600 keeps other users out, not bugs in our own peers): a gateway's socket and the master's
// control socket get garbage, lines that are not messages, calls before the hello, unknown
// operations, arguments of every wrong shape and an endless line. Each such peer is answered
// with an error or disconnected; the gateway, the business workers and the master keep their
// pids, and the clients stay connected and served.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { TestClient } from '../helpers/ws-client.js';
import { pidsOf, startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 60_000 };

/** Writes `lines`, then collects what comes back until the peer closes or `quietMs` pass without data. */
function converse(socketPath: string, lines: Array<string | Buffer>, quietMs = 300): Promise<{ said: string[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    let text = '';
    let timer: NodeJS.Timeout;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ said: text.split('\n').filter(Boolean), closed });
    };
    const quiet = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
    };
    socket.on('connect', () => {
      for (const line of lines) socket.write(line);
      quiet();
    });
    socket.on('data', (d) => {
      text += d.toString();
      quiet();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
  });
}

const hello = JSON.stringify({ t: 'hello', proto: 'drover/1', role: 'client', pid: 1, slot: 0, generation: 0, slots: [], hooks: { connect: false, close: false } });

test("a gateway's local socket and the control socket survive peers that send anything", TIMEOUT, scenario(async (p) => {
  const { port, status } = await startWs(p, { gateway: { count: 1 }, business: { count: 1 } });
  const before = { master: status.master.pid, gateway: pidsOf(status, 'gateway'), business: pidsOf(status, 'business') };
  const client = await TestClient.connect(port);
  await client.whoami();
  const gatewaySocket = p.file('pidfiles/ws.gateway-1.sock');
  assert.equal(fs.statSync(gatewaySocket).mode & 0o777, 0o600);
  assert.equal(fs.statSync(p.service('ws').socket).mode & 0o777, 0o600);

  // Disconnected at once: not a message, or anything before the hello.
  for (const line of ['garbage\n', '[1,2]\n', 'null\n', '{"no":"t"}\n', '{"t":"call","id":1,"op":"getClientCount","a":[]}\n', Buffer.from([0xff, 0xfe, 0x0a])]) {
    const r = await converse(gatewaySocket, [line]);
    assert.deepEqual(r, { said: [], closed: true }, `gateway socket, ${JSON.stringify(String(line))}`);
  }
  assert.equal((await converse(gatewaySocket, ['{"t":"hello","proto":"drover/0"}\n'])).closed, true, 'a hello of another protocol');

  // After a hello: bad calls answer with an error, the connection stays.
  const calls = [
    { t: 'call', id: 1, op: 'noSuchOp', a: [] },
    { t: 'call', id: 2, op: '__proto__', a: [] },
    { t: 'call', id: 3, op: 'constructor', a: [] },
    { t: 'call', id: 4, op: 'sendToAll', a: 'not an array' },
    { t: 'call', id: 5, op: 'sendToAll', a: [{ b64: 42 }, []] },
    { t: 'call', id: 6, op: 'sendToUid', a: [{ toString: 1 }, 'x'] },
    { t: 'call', id: 7, op: 'setSession', a: [client.id, '[1]'] },
    { t: 'call', id: 8, op: 'updateSession', a: [client.id, 'not json'] },
    { t: 'done', c: 'no-such-client' },
    { t: 'bye' },
    { t: 'call', id: 10, op: 'getClientCount', a: [] },
  ];
  const r = await converse(gatewaySocket, [`${hello}\n`, ...calls.map((m) => `${JSON.stringify(m)}\n`)]);
  const answers = r.said.map((line) => JSON.parse(line) as { t: string; id?: number; e?: string; v?: unknown });
  const byId = new Map(answers.filter((a) => a.t === 'answer').map((a) => [a.id, a]));
  for (const id of [1, 2, 3, 4, 5, 6, 7, 8]) assert.equal(typeof byId.get(id)?.e, 'string', `call ${id} answered with an error: ${JSON.stringify(answers)}`);
  assert.equal(byId.get(10)?.v, 1, 'and then a good call is answered');
  assert.equal(r.closed, false);

  // An endless line on the control socket (limit 64 KiB): disconnected; on a gateway socket
  // (no limit: business workers send large pushes) it is only memory, bounded by the test.
  assert.equal((await converse(p.service('ws').socket, ['x'.repeat(70 * 1024)])).closed, true, 'control socket, a line past 64 KiB');
  for (const line of ['garbage\n', '{"proto":"drover/1","id":"x","type":"status"}\n', '{"proto":"drover/1","id":1,"type":"no-such"}\n']) {
    const reply = await converse(p.service('ws').socket, [line]);
    assert.ok(reply.closed || reply.said.every((l) => (JSON.parse(l) as { ok: boolean }).ok === false), `control socket, ${line.trim()}: ${JSON.stringify(reply)}`);
  }

  const after = await statusJson(p, 'ws');
  assert.deepEqual({ master: after.master.pid, gateway: pidsOf(after, 'gateway'), business: pidsOf(after, 'business') }, before, 'every process survived');
  assert.ok(client.open, 'the client stayed connected');
  assert.equal((await client.call('worker/WsTest/version')).data, 'v1');
  await client.close();
}));
