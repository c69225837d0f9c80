// The WebSocket service in a worker: a gateway or a business worker, by the role the master
// gave the slot (DROVER_ROLE).
import type { WsServiceConfig } from '../config/types.js';
import type { WorkerContext } from '../worker/context.js';
import type { ModuleHooks } from '../worker/module-hooks.js';
import type { RunningService } from '../worker/service.js';
import type { WorkerCounters } from '../worker/stats.js';
import { startBusiness } from './business.js';
import { startGateway } from './gateway-service.js';

export function startWsService(config: WsServiceConfig, worker: WorkerContext, counters: WorkerCounters, hooks: ModuleHooks): Promise<RunningService> {
  if (worker.role === 'gateway') return startGateway(config, worker, counters);
  if (worker.role === 'business') return startBusiness(config, worker, counters, hooks);
  throw new Error(`unknown WebSocket worker role "${worker.role}" (expected gateway or business)`);
}
