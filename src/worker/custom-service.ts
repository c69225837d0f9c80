// A custom service (a config with `handler` and no `listen`, like webman's custom processes):
// its workers run the handler's onWorkerStart / onWorkerStop and whatever those start.
import type { CustomServiceConfig } from '../config/types.js';
import type { WorkerContext } from './context.js';
import type { RunningService } from './service.js';
import { ModuleHooks } from './module-hooks.js';
import { requireUserModule } from './user-module.js';

export async function loadCustomHandler(config: CustomServiceConfig, worker: WorkerContext): Promise<ModuleHooks> {
  const exports = await requireUserModule(worker, config.handler, 'the "handler" module');
  return ModuleHooks.fromExports(config.handler, exports);
}

export function startCustomService(): RunningService {
  return { connections: () => [], stop: async () => undefined };
}
