// Limits: allowedOrigins at the upgrade (403), maxPayload (1009), a client that never reads
// is dropped at maxBufferedAmount instead of growing its gateway, stop closes every client
// with 1001 spread over closeSpreadMs, and wss:// with a certificate.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';
import { TestClient, clientsOnEveryGateway } from '../helpers/ws-client.js';
import { TLS_CERT, TLS_KEY } from '../helpers/ws-fixtures.js';
import { startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 120_000 };

test('origins, payload size, a client that never reads, and a stop spread over closeSpreadMs', TIMEOUT, scenario(async (p) => {
  const { port } = await startWs(p, {
    allowedOrigins: ['https://good.example', 'https://*.trusted.example'],
    maxPayload: 1024,
    maxBufferedAmount: 64 * 1024,
    closeSpreadMs: 800,
  });

  const statuses: Record<string, number> = {};
  for (const origin of ['https://good.example', 'HTTPS://GOOD.EXAMPLE:443', 'https://app.trusted.example', 'https://evil.example', 'https://trusted.example', 'null', undefined]) {
    statuses[String(origin)] = await TestClient.upgradeStatus(port, origin ? { origin } : {});
  }
  assert.deepEqual(statuses, {
    'https://good.example': 101,
    'HTTPS://GOOD.EXAMPLE:443': 101,
    'https://app.trusted.example': 101,
    'https://evil.example': 403,
    'https://trusted.example': 403,
    null: 403,
    undefined: 101, // not a browser: nothing to protect
  });

  // maxPayload: a message of exactly the limit is handled, one byte more closes with 1009.
  const sender = await TestClient.connect(port, { origin: 'https://good.example' });
  const padded = (size: number) => {
    const base = JSON.stringify({ pathInfo: 'worker/WsTest/version', pad: '' });
    return JSON.stringify({ pathInfo: 'worker/WsTest/version', pad: 'x'.repeat(size - base.length) });
  };
  sender.send(padded(1024));
  assert.equal((await sender.reply('worker/WsTest/version')).data, 'v1');
  sender.send(padded(1025));
  assert.equal((await sender.closed).code, 1009, 'message too big');

  // A client that never reads: its gateway drops it past maxBufferedAmount, and stays small.
  const [[slow], [flooder]] = (await clientsOnEveryGateway(port, 2, 1)) as [[TestClient], [TestClient]];
  const gatewayRss = async () => (await statusJson(p, 'ws')).workers.find((w) => w.id === slow.gateway)!.rss;
  const rssBefore = await gatewayRss();
  (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const count = 400;
  const flood = await flooder.call<{ delivered: number }>('worker/WsTest/flood', { target: slow.id, count, size: 64 * 1024 }, 60_000);
  assert.equal(flood.type, 'flood', JSON.stringify(flood));
  assert.ok(flood.data.delivered < count, `the slow client was cut off (${flood.data.delivered} of ${count} pushes of 64 KiB delivered)`);
  const online = await flooder.call<{ result: boolean }>('worker/WsTest/push', { op: 'isOnline', args: [slow.id] });
  assert.equal(online.data.result, false);
  const grown = (await gatewayRss()) - rssBefore;
  assert.ok(grown < 16 * 1024 * 1024, `the gateway did not buffer the flood (rss grew ${grown} bytes for ${count * 64} KiB pushed)`);
  assert.match(fs.readFileSync(p.service('ws').log, 'utf8'), /reads too slowly/);
  (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  assert.equal((await slow.closed).code, 1006);
  assert.equal((await flooder.call('worker/WsTest/version')).data, 'v1', 'the others are served as before');

  // Stop: every client gets 1001, not all at the same moment.
  const clients = (await clientsOnEveryGateway(port, 2, 4)).flat();
  const stopped = await runCli(p, ['ws', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  const closes = await Promise.all([flooder, ...clients].map((c) => c.closed));
  assert.deepEqual(new Set(closes.map((c) => c.code)), new Set([1001]));
  const spread = Math.max(...closes.map((c) => c.at)) - Math.min(...closes.map((c) => c.at));
  assert.ok(spread >= 300, `closes spread over closeSpreadMs (${spread} ms between the first and the last)`);
}));

test('wss:// with a certificate', TIMEOUT, scenario(async (p) => {
  p.writeFile('tls/cert.pem', TLS_CERT);
  p.writeFile('tls/key.pem', TLS_KEY);
  const { port } = await startWs(p, { tls: { cert: 'tls/cert.pem', key: 'tls/key.pem' }, gateway: { count: 1 }, business: { count: 1 } });
  const client = await TestClient.connect(port, { secure: true });
  const socket = (client.ws as unknown as { _socket: { encrypted?: boolean; getPeerCertificate(): { subject: { CN: string } } } })._socket;
  assert.equal(socket.encrypted, true);
  assert.equal(socket.getPeerCertificate().subject.CN, 'localhost');
  assert.equal((await client.call('worker/WebSocketExamples/message')).type, 'message');
  client.send('ping');
  await client.next((t) => t === 'pong');
  await assert.rejects(TestClient.connect(port, { timeoutMs: 3000 }), 'plain ws:// is refused on a wss:// port');
  await waitFor('the plain attempt to be forgotten', async () => (await statusJson(p, 'ws')).workers[0]!.connections === 1);
  await client.close();
}));
