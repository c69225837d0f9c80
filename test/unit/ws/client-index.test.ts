// The client index on its own: no gateway, no sockets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientIndex, type IndexedClient } from '../../../src/ws/client-index.ts';

const client = (id: string): IndexedClient => ({ id, uid: null, groups: null, session: null });
const ids = (set: Iterable<IndexedClient>) => [...set].map((c) => c.id).sort();

test('uids: one per client, many clients per uid, rebinding moves the client', () => {
  const index = new ClientIndex();
  const [a, b] = [client('a'), client('b')];
  index.add(a);
  index.add(b);
  index.bindUid(a, 'u1');
  index.bindUid(b, 'u1');
  assert.deepEqual(ids(index.byUid('u1')), ['a', 'b']);
  index.bindUid(a, 'u2');
  assert.deepEqual([ids(index.byUid('u1')), ids(index.byUid('u2'))], [['b'], ['a']]);
  assert.equal(index.unbindUid(b, 'u2'), false, 'not its uid');
  assert.equal(index.unbindUid(b, 'u1'), true);
  assert.equal(b.uid, null);
  assert.equal(index.byUid('u1').size, 0);
});

test('groups: join, leave, ungroup; counts follow', () => {
  const index = new ClientIndex();
  const [a, b, c] = [client('a'), client('b'), client('c')];
  for (const x of [a, b, c]) index.add(x);
  index.joinGroup(a, 'g');
  index.joinGroup(b, 'g');
  index.joinGroup(b, 'g');
  index.joinGroup(c, 'h');
  assert.equal(index.byGroup('g').size, 2);
  assert.equal(index.leaveGroup(a, 'g'), true);
  assert.equal(index.leaveGroup(a, 'g'), false, 'twice');
  assert.equal(index.ungroup('g'), 1);
  assert.equal(index.ungroup('g'), 0);
  assert.deepEqual([...b.groups!], [], 'the client forgets the group too');
  assert.deepEqual(ids(index.byGroup('h')), ['c']);
});

test('remove: out of every map at once; the uid stays on the record for the close hook', () => {
  const index = new ClientIndex();
  const a = client('a');
  index.add(a);
  index.bindUid(a, 'u');
  index.joinGroup(a, 'g');
  index.remove(a);
  assert.equal(index.size, 0);
  assert.equal(index.get('a'), null);
  assert.equal(index.byUid('u').size, 0);
  assert.equal(index.byGroup('g').size, 0);
  assert.equal(a.uid, 'u');
  index.remove(a); // twice: nothing happens
  const again = client('a');
  index.add(again);
  index.remove(a);
  assert.equal(index.get('a'), again, 'removing a stale record does not remove a newer one with its id');
});

test('sessions: JSON objects only; update merges shallowly', () => {
  const index = new ClientIndex();
  const a = client('a');
  index.add(a);
  index.updateSession(a, '{"x":1}');
  index.updateSession(a, '{"y":{"z":2}}');
  assert.deepEqual(JSON.parse(a.session!), { x: 1, y: { z: 2 } });
  index.setSession(a, '{"only":true}');
  assert.deepEqual(JSON.parse(a.session!), { only: true });
  for (const bad of ['[]', 'null', '1', 'not json']) assert.throws(() => index.setSession(a, bad), bad);
  assert.deepEqual(JSON.parse(a.session!), { only: true }, 'a refused session leaves the old one');
});
