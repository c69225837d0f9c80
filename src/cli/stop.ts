// `stop`: graceful by default (drain, SIGKILL after stopTimeout), `-g` waits without a
// deadline, `--force` kills now (by pid if the master does not answer). Returns once the
// master has exited and removed its files. A master that stops answering meanwhile makes it
// fail with DROVER_ERR_CONTROL_TIMEOUT instead of waiting forever.
import { droverError, NotRunningError } from '../errors/index.js';
import { isAlive, isDroverMaster, processState, readPid } from '../master/pid.js';
import { servicePaths } from '../core/paths.js';
import type { StopMode } from '../protocol/control-messages.js';
import { flag, forEachService, type CommandContext } from './context.js';
import { forceStop } from './force-stop.js';
import { askMasterAndWatch, connectMaster } from './master-client.js';

/** After the master answered, how long its process may take to be gone. */
const EXIT_WAIT_MS = 10_000;

export async function stop(ctx: CommandContext): Promise<number> {
  const mode: StopMode = flag(ctx, 'force') ? 'force' : flag(ctx, 'graceful') ? 'wait' : 'graceful';
  return forEachService(ctx, async (service) => {
    const stopped = await stopService(ctx.root, service, mode);
    if (stopped === null) process.stderr.write(`${service} is not running; nothing to stop.\n`);
    else process.stdout.write(`${service} stopped (master pid ${stopped}).\n`);
    return 0;
  });
}

/** Stops one service; resolves with the master's pid, or null if it was not running. */
export async function stopService(root: string, service: string, mode: StopMode): Promise<number | null> {
  if (mode === 'force') return forceStop(root, service);
  let client;
  try {
    client = await connectMaster(root, service);
  } catch (error) {
    if (error instanceof NotRunningError) return null;
    return stopBySignal(root, service, error);
  }
  try {
    const { pid } = await askMasterAndWatch<{ pid: number }>(root, service, { type: 'stop', mode }, client);
    await waitForExit(service, pid);
    return pid;
  } finally {
    client.close();
  }
}

/**
 * The pidfile names a live master but its socket is gone (removed by hand, say): SIGTERM does
 * the same graceful stop. Not to a stopped process (the signal would wait, and the stop happen
 * whenever it resumes) nor to a pid that is not a drover master.
 */
async function stopBySignal(root: string, service: string, unreachable: unknown): Promise<number> {
  const pid = readPid(servicePaths(root, service).pidfile);
  if (pid === null || processState(pid) === 'T' || !isDroverMaster(pid, service)) throw unreachable;
  process.kill(pid, 'SIGTERM');
  await waitForExit(service, pid);
  return pid;
}

async function waitForExit(service: string, pid: number): Promise<void> {
  const deadline = Date.now() + EXIT_WAIT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw droverError('DROVER_ERR_STOP_TIMEOUT', { service, pid, afterSeconds: EXIT_WAIT_MS / 1000 });
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
