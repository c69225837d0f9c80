// `connections`: the open connections of every worker.
import type { WorkerConnections } from '../protocol/status.js';
import { flag, forEachService, type CommandContext } from './context.js';
import { askMaster, QUERY_TIMEOUT_MS } from './master-client.js';
import { renderConnections } from './render-status.js';

export async function connections(ctx: CommandContext): Promise<number> {
  return forEachService(ctx, async (service) => {
    const workers = await askMaster<WorkerConnections[]>(ctx.root, service, { type: 'connections' }, QUERY_TIMEOUT_MS);
    const text = flag(ctx, 'json') ? JSON.stringify({ service, workers }, null, 2) : renderConnections(service, workers);
    process.stdout.write(`${text}\n`);
    return 0;
  });
}
