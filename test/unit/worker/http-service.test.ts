import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionsCheckingInterval } from '../../../src/worker/http-service.js';

test('connectionsCheckingInterval: a quarter of the shortest timeout, within [250 ms, 30 s]', () => {
  assert.equal(connectionsCheckingInterval(5000, 300_000), 1250);
  assert.equal(connectionsCheckingInterval(60_000, 300_000), 15_000);
  assert.equal(connectionsCheckingInterval(60_000, 20_000), 5000);
  assert.equal(connectionsCheckingInterval(0, 8000), 2000, 'a disabled timeout does not count');
  assert.equal(connectionsCheckingInterval(0, 0), 30_000, 'both off: Node\'s default');
  assert.equal(connectionsCheckingInterval(400, 400), 250);
  assert.equal(connectionsCheckingInterval(600_000, 600_000), 30_000);
});
