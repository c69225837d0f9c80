// `stop`: graceful by default (drain, SIGKILL after stopTimeout), `-g` waits without a
// deadline, `--force` kills now. Returns once the master has exited and removed its files.
import { DroverError, NotRunningError } from '../errors.js';
import { isAlive, readPid } from '../master/pid.js';
import { servicePaths } from '../paths.js';
import type { StopMode } from '../protocol/control-messages.js';
import { flag, forEachService, type CommandContext } from './context.js';
import { connectMaster } from './master-client.js';

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
  let client;
  try {
    client = await connectMaster(root, service);
  } catch (error) {
    if (error instanceof NotRunningError) return null;
    return stopBySignal(root, service, mode);
  }
  const { pid } = await client.request<{ pid: number }>({ type: 'stop', mode });
  await client.closed;
  await waitForExit(service, pid);
  return pid;
}

/** The master does not answer on its socket: fall back to signals, by the pidfile's pid. */
async function stopBySignal(root: string, service: string, mode: StopMode): Promise<number> {
  const pid = readPid(servicePaths(root, service).pidfile)!;
  process.kill(pid, mode === 'force' ? 'SIGKILL' : 'SIGTERM');
  await waitForExit(service, pid);
  return pid;
}

async function waitForExit(service: string, pid: number): Promise<void> {
  const deadline = Date.now() + EXIT_WAIT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new DroverError('DROVER_ERR_STOP_TIMEOUT', `${service} master (pid ${pid}) is still alive ${EXIT_WAIT_MS / 1000}s after it stopped its workers.`, {
        hint: `look at its log; "kill -KILL ${pid}" ends it (its workers exit with it).`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
