import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayOf, clientIdFactory } from '../../../src/ws/client-id.ts';
import { LineReader, encode } from '../../../src/ws/protocol.ts';
import { envelope, errorReply } from '../../../src/ws/replies.ts';

test('LineReader: messages split anywhere, several per chunk; garbage stops the stream', () => {
  const seen: unknown[] = [];
  const garbage: string[] = [];
  const reader = new LineReader<{ t: string }>((m) => seen.push(m), (line) => garbage.push(line));
  const text = encode({ t: 'bye' }) + encode({ t: 'done', c: '1-a-1', r: 'x\ny' });
  for (const ch of text) reader.push(ch);
  reader.push(encode({ t: 'bye' }) + encode({ t: 'bye' }));
  assert.deepEqual(seen, [{ t: 'bye' }, { t: 'done', c: '1-a-1', r: 'x\ny' }, { t: 'bye' }, { t: 'bye' }]);
  reader.push('{"no type":1}\n');
  reader.push('not json\n');
  assert.equal(garbage.length, 1, 'the first bad line is reported');
});

test('client ids name their gateway slot', () => {
  const id = clientIdFactory(12)(35);
  assert.match(id, /^12-[a-z0-9]+-z$/);
  assert.equal(gatewayOf(id), 12);
  for (const bad of ['', 'x-1-1', '0-a-1', '-a-1', 42, null, '12345-a-1']) assert.equal(gatewayOf(bad), null, String(bad));
});

test('replies: the seed envelope, time in seconds', () => {
  const reply = JSON.parse(envelope('message', { a: 1 }, 'worker/X/message'));
  assert.deepEqual(Object.keys(reply), ['type', 'data', 'path', 'time']);
  assert.ok(Math.abs(reply.time - Date.now() / 1000) < 5);
  assert.deepEqual(JSON.parse(errorReply(404, 'nope')).data, { code: 404, message: 'nope' });
});
