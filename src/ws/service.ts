// The WebSocket service in a worker: a gateway or a business worker, by the role the master
// gave the slot (DROVER_ROLE).
import type { WsServiceConfig } from '../config/types.js';
import { DroverError } from '../errors.js';
import type { WorkerContext } from '../worker/context.js';
import type { ModuleHooks } from '../worker/module-hooks.js';
import type { RunningService } from '../worker/service.js';
import type { WorkerCounters } from '../worker/stats.js';
import { startBusiness } from './business.js';
import { startGateway } from './gateway-service.js';

/** Gateways run no user code: no module hooks are loaded in them. */
export function runsUserCode(config: { kind: string }, worker: WorkerContext): boolean {
  return !(config.kind === 'ws' && worker.role === 'gateway');
}

export function startWsService(config: WsServiceConfig, worker: WorkerContext, counters: WorkerCounters, hooks: ModuleHooks): Promise<RunningService> {
  if (config.redis !== null) {
    // Refused rather than ignored: a config that asks for several hosts must not silently get one.
    throw new DroverError('DROVER_ERR_NOT_IMPLEMENTED', '"redis" (push across several hosts) is not implemented yet: pushes reach the gateways of this host only.', {
      hint: 'remove "redis" from the config; every push function works across the gateways of one host.',
    });
  }
  if (worker.role === 'gateway') return startGateway(config, worker, counters);
  if (worker.role === 'business') return startBusiness(config, worker, counters, hooks);
  throw new Error(`unknown WebSocket worker role "${worker.role}" (expected gateway or business)`);
}
