import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roleNodeFlags } from '../../../src/master/worker-flags.ts';

test('gateways get a capped young generation; other roles nothing', () => {
  assert.deepEqual(roleNodeFlags('gateway', {}), ['--max-semi-space-size=2']);
  for (const role of ['business', 'http', 'custom']) assert.deepEqual(roleNodeFlags(role, {}), [], role);
});

test("the operator's own semi-space setting wins", () => {
  assert.deepEqual(roleNodeFlags('gateway', { NODE_OPTIONS: '--max-semi-space-size=16' }), []);
  assert.deepEqual(roleNodeFlags('gateway', { NODE_OPTIONS: '--max_semi_space_size=8 --trace-gc' }), []);
  assert.deepEqual(roleNodeFlags('gateway', { NODE_OPTIONS: '--max-old-space-size=512' }), ['--max-semi-space-size=2']);
});
