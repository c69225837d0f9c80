import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateServiceConfig } from '../../../src/config/validate.ts';
import { DroverError } from '../../../src/errors/index.ts';
import { applyOverrides, newSlotIds, resolveRole, roleCount, slotsToRemove, targetCount, withRoleCount, type ScaleOverride } from '../../../src/master/scale.ts';

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

test('WebSocket: gateways and business workers scale, one role at a time; an unnamed or unknown role is refused', () => {
  assert.equal(resolveRole(ws, 'business'), 'business');
  assert.equal(resolveRole(ws, 'gateway'), 'gateway');
  refusedWith(() => resolveRole(ws, null), /say which/);
  refusedWith(() => resolveRole(ws, 'gatway'), /no "gatway" workers/);
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

test('slot ids: a role takes back its own old ids first, then ids no slot ever had; it never takes another role\'s', () => {
  // A fresh start of 2 gateways and 2 business workers: 1, 2 gateways; 3, 4 business.
  const given = new Map<number, string>([[1, 'gateway'], [2, 'gateway'], [3, 'business'], [4, 'business']]);
  assert.deepEqual(newSlotIds(given, new Set([1, 2, 3, 4]), 'gateway', 2), [5, 6]);
  // Gateway 2 scaled away and business 4 too: a new gateway is 2 again, never 4.
  assert.deepEqual(newSlotIds(given, new Set([1, 3]), 'gateway', 2), [2, 5]);
  assert.deepEqual(newSlotIds(given, new Set([1, 3]), 'business', 1), [4]);
  // HTTP keeps numbering 1..N, as before.
  assert.deepEqual(newSlotIds(new Map([[1, 'http'], [2, 'http'], [3, 'http']]), new Set([1]), 'http', 3), [2, 3, 4]);
});

test('a shrinking role loses its highest ids', () => {
  const slots = [{ id: 1, role: 'gateway' }, { id: 2, role: 'gateway' }, { id: 3, role: 'business' }, { id: 5, role: 'gateway' }];
  assert.deepEqual(slotsToRemove(slots, 'gateway', 2).map((s) => s.id), [5, 2]);
  assert.deepEqual(slotsToRemove(slots, 'business', 1).map((s) => s.id), [3]);
});
