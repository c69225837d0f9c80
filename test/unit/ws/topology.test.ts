import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateServiceConfig } from '../../../src/config/validate.ts';
import { topologyFromEnv } from '../../../src/ws/topology.ts';

const ws = validateServiceConfig('ws', 'config/worker_ws.json', { gateway: { count: 2 }, business: { count: 3 } });
if (ws.kind !== 'ws') throw new Error('not a ws config');

test('the layout the master passed wins; without it (or with garbage) the config numbering of a fresh start', () => {
  assert.deepEqual(topologyFromEnv({ DROVER_WS_TOPOLOGY: JSON.stringify({ gateways: [1, 2, 6], business: [3, 4] }) }, ws), { gateways: [1, 2, 6], business: [3, 4] });
  const fresh = { gateways: [1, 2], business: [3, 4, 5] };
  assert.deepEqual(topologyFromEnv({}, ws), fresh);
  assert.deepEqual(topologyFromEnv({ DROVER_WS_TOPOLOGY: '{"gateways":[0],"business":[]}' }, ws), fresh);
  assert.deepEqual(topologyFromEnv({ DROVER_WS_TOPOLOGY: 'not json' }, ws), fresh);
});
