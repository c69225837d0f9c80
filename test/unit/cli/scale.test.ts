import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScaleTarget } from '../../../src/cli/scale.ts';
import { DroverError } from '../../../src/errors/index.ts';

test('scale targets: N, +N, -N, role=N, and --role', () => {
  assert.deepEqual(parseScaleTarget('4', undefined), { role: null, target: { set: 4 } });
  assert.deepEqual(parseScaleTarget('+2', undefined), { role: null, target: { delta: 2 } });
  assert.deepEqual(parseScaleTarget('-1', undefined), { role: null, target: { delta: -1 } });
  assert.deepEqual(parseScaleTarget('business=3', undefined), { role: 'business', target: { set: 3 } });
  assert.deepEqual(parseScaleTarget('business=+1', 'business'), { role: 'business', target: { delta: 1 } });
  assert.deepEqual(parseScaleTarget('-2', 'business'), { role: 'business', target: { delta: -2 } });
});

test('anything else is a usage error', () => {
  for (const [text, role] of [[undefined, undefined], ['', undefined], ['many', undefined], ['2.5', undefined], ['=3', undefined], ['business=3', 'gateway']] as const) {
    assert.throws(() => parseScaleTarget(text, role), (e: unknown) => e instanceof DroverError && e.code === 'DROVER_ERR_USAGE', String(text));
  }
});
