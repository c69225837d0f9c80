import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateServiceConfig } from '../../../src/config/validate.ts';
import { DroverError } from '../../../src/errors.ts';
import { applyOverrides, resolveRole, roleCount, targetCount, withRoleCount, type ScaleOverride } from '../../../src/master/scale.ts';

const http = validateServiceConfig('web', 'config/worker_web.json', { listen: 'http://127.0.0.1:1', count: 2 });
const ws = validateServiceConfig('ws', 'config/worker_ws.json', { gateway: { count: 2 }, business: { count: 2 } });

function refusedWith(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof DroverError && e.code === 'DROVER_ERR_SCALE_REFUSED' && pattern.test(e.message) && e.hint !== undefined);
}

test('a reload keeps a scaled count while the file says what it said when scale ran, and drops it once the file changed', () => {
  const overrides = new Map<string, ScaleOverride>([['http', { count: 5, fileCount: 2 }]]);
  const same = applyOverrides(http, overrides);
  assert.equal(same.config.count, 5);
  assert.equal(same.kept.length, 1);
  assert.ok(Object.isFrozen(same.config));
  const edited = applyOverrides(withRoleCount(http, 'http', 3), overrides);
  assert.equal(edited.config.count, 3);
  assert.equal(edited.dropped.length, 1);
  assert.equal(overrides.size, 0, 'the override is gone for good');
  // Even an edit back to the old count later is the file's count now.
  assert.equal(applyOverrides(http, overrides).config.count, 2);
});

test('WebSocket: business scales, one role at a time; gateways and an unnamed role are refused', () => {
  assert.equal(resolveRole(ws, 'business'), 'business');
  refusedWith(() => resolveRole(ws, null), /say which/);
  refusedWith(() => resolveRole(ws, 'gateway'), /gateway workers cannot be scaled at runtime/);
  refusedWith(() => resolveRole(http, 'business'), /no "business" workers/);
  assert.equal(resolveRole(http, null), 'http');
  const scaled = withRoleCount(ws, 'business', 4);
  assert.deepEqual([roleCount(scaled, 'gateway'), roleCount(scaled, 'business')], [2, 4]);
});

test('target counts: N, +N, -N within 1..256', () => {
  assert.equal(targetCount(2, { set: 5 }, 'web', 'http'), 5);
  assert.equal(targetCount(2, { delta: 3 }, 'web', 'http'), 5);
  assert.equal(targetCount(2, { delta: -1 }, 'web', 'http'), 1);
  refusedWith(() => targetCount(2, { delta: -2 }, 'web', 'http'), /would have 0 workers/);
  refusedWith(() => targetCount(2, { set: 257 }, 'web', 'http'), /from 1 to 256/);
});
