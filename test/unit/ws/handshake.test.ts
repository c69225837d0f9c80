import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queryOf } from '../../../src/ws/handshake.ts';

test('queryOf never throws: targets new URL() refuses give null', () => {
  for (const target of ['//', '///', '/\\', '//[', '//%', '//:99999', '//a:b@[::1']) assert.equal(queryOf(target), null, target);
});

test('queryOf reads the query of targets that parse, as new URL() does', () => {
  assert.deepEqual(queryOf('/'), {});
  assert.deepEqual(queryOf('/?token=abc&x=%20y'), { token: 'abc', x: ' y' });
  assert.deepEqual(queryOf('/?b=%zz'), { b: '%zz' });
  const odd = queryOf('/?__proto__=1')!;
  assert.equal(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value, '1', 'an own key, not the prototype');
  assert.equal(Object.getPrototypeOf(odd), Object.prototype);
});
