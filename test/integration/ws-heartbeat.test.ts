// Heartbeat: a client silent for longer than heartbeat.timeout is closed (4000); the text
// `ping` and protocol-level pings count as signs of life; a peer that stops answering the
// gateway's protocol pings is dropped even while it still sends (a dead TCP peer looks so).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenario } from '../helpers/scenario.js';
import { delay } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { startWs } from '../helpers/ws-service.js';

test('idle clients are closed; text and protocol pings keep a client open; dead peers are dropped', { timeout: 90_000 }, scenario(async (p) => {
  const { port } = await startWs(p, { heartbeat: { interval: 300, timeout: 1200 }, gateway: { count: 1 }, business: { count: 1 } });

  const silent = await TestClient.connect(port);
  const texting = await TestClient.connect(port);
  const pinging = await TestClient.connect(port);
  const deaf = await TestClient.connect(port, { autoPong: false });
  const openedAt = Date.now();
  const keepAlive = setInterval(() => {
    if (texting.open) texting.send('ping');
    if (pinging.open) pinging.ws.ping();
    if (deaf.open) deaf.send('ping');
  }, 250);
  try {
    const deafClosed = await deaf.closed;
    assert.equal(deafClosed.code, 1006, 'a peer that answers no protocol ping is cut off, without a closing handshake');
    assert.ok(deafClosed.at - openedAt < 1200, `dropped before the idle timeout could have closed it (${deafClosed.at - openedAt} ms)`);

    const silentClosed = await silent.closed;
    assert.equal(silentClosed.code, 4000);
    assert.equal(silentClosed.reason, 'heartbeat timeout');
    const silentFor = silentClosed.at - openedAt;
    assert.ok(silentFor >= 1100 && silentFor < 4000, `closed after about heartbeat.timeout (${silentFor} ms)`);

    await delay(1500);
    assert.ok(texting.open, 'a client that sends the text ping stays open');
    assert.ok(pinging.open, 'a client that sends protocol pings stays open');
    const pongs = texting.inbox.filter((m) => m.text === 'pong').length;
    assert.ok(pongs >= 5, `each text ping got a pong (${pongs})`);
    assert.ok(texting.inbox.every((m) => m.text === 'pong'), 'pings are not routed');
    const reply = await texting.call('worker/WsTest/whoami');
    assert.equal(reply.type, 'whoami');
  } finally {
    clearInterval(keepAlive);
  }
  await Promise.all([texting.close(), pinging.close()]);
}));
