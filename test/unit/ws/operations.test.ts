// The operation table: every GatewayApi method has one entry, and answers fold as declared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientOf, mergeAnswers, OP_NAMES, OPERATIONS } from '../../../src/ws/operations.ts';

test('every operation routes to one client (with an answer for "not online") or to every gateway', () => {
  for (const name of OP_NAMES) {
    const spec = OPERATIONS[name];
    assert.ok(spec.route === 'client' ? 'absent' in spec : !('absent' in spec), name);
  }
  assert.equal(clientOf('sendToClient', ['1-a-1', 'x']), '1-a-1');
  assert.equal(clientOf('sendToUid', ['u', 'x']), null);
});

test('answers of several gateways and hosts fold by the operation', () => {
  assert.equal(mergeAnswers('sendToAll', [2, 3, 0]), 5);
  assert.equal(mergeAnswers('isUidOnline', [false, true]), true);
  assert.equal(mergeAnswers('isOnline', [false, false]), false);
  assert.deepEqual(mergeAnswers('getClientIdsByUid', [['a'], [], ['b', 'c']]), ['a', 'b', 'c']);
  assert.equal(mergeAnswers('getSession', [null, '{"a":1}', null]), '{"a":1}');
  assert.equal(mergeAnswers('getUidByClientId', [null, null]), null);
});

test('arguments are checked on the caller\'s side', () => {
  assert.deepEqual(OPERATIONS.sendToUid.encode(42 as unknown as string, 'x'), ['42', 'x'], 'a numeric uid is a string on the wire');
  assert.deepEqual(OPERATIONS.sendToAll.encode({ a: 1 }), ['{"a":1}', []]);
  assert.deepEqual(OPERATIONS.sendToClient.encode('1-a-1', new Uint8Array([1, 2])), ['1-a-1', { b64: 'AQI=' }]);
  assert.throws(() => OPERATIONS.sendToUid.encode('', 'x'), /uid must be a non-empty string/);
  assert.throws(() => OPERATIONS.sendToGroup.encode('g', 'x', [1 as unknown as string]), /exclude must be an array of client ids/);
  assert.throws(() => OPERATIONS.setSession.encode('1-a-1', [] as unknown as object), /a session must be a plain object/);
  assert.throws(() => OPERATIONS.sendToAll.encode(undefined as unknown as string), /push data must be/);
});
