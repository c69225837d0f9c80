// The `worker` module's core file: its hooks run in every worker of the services concerned.
import type { WorkerContext } from 'drover';

export function onWorkerStart(worker: WorkerContext): void {
  if (worker.debug) console.log(`[${worker.service} worker ${worker.workerId}] started (pid ${worker.pid})`);
}

export function onWorkerStop(worker: WorkerContext): void {
  if (worker.debug) console.log(`[${worker.service} worker ${worker.workerId}] stopping (pid ${worker.pid})`);
}
