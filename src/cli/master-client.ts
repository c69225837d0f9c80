// Talking to a service's master from the CLI: connect over the control socket, or explain
// precisely why not (not running; or a live pid that does not answer).
import { ControlClient } from '../control/client.js';
import { DroverError, NotRunningError } from '../errors.js';
import { isAlive, readPid } from '../master/pid.js';
import { servicePaths } from '../paths.js';

export async function connectMaster(root: string, service: string): Promise<ControlClient> {
  const paths = servicePaths(root, service);
  try {
    return await ControlClient.connect(service, paths.socket);
  } catch (error) {
    const pid = readPid(paths.pidfile);
    if (pid !== null && isAlive(pid)) {
      throw new DroverError('DROVER_ERR_CONTROL', `${service}: pid ${pid} in ${paths.pidfile} is alive but no master answers on ${paths.socket}.`, {
        hint: `if that is a drover master, it is stuck: "kill -TERM ${pid}"; otherwise the pidfile is stale and the next start removes it.`,
      });
    }
    throw error instanceof NotRunningError ? error : new NotRunningError(service, paths.socket);
  }
}

/**
 * Answers status and connections need (the master waits at most a second for each worker);
 * past this the master itself is stuck. A kernel accepts connections on the socket of a
 * stopped process, so without a deadline `status` would wait forever.
 */
export const QUERY_TIMEOUT_MS = 5000;

/** Asks one thing and closes. With a timeout, a silent master is an error that names its pid. */
export async function askMaster<T>(root: string, service: string, body: Parameters<ControlClient['request']>[0], timeoutMs?: number): Promise<T> {
  const client = await connectMaster(root, service);
  try {
    return await client.request<T>(body, timeoutMs);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('no answer')) throw error;
    const paths = servicePaths(root, service);
    const pid = readPid(paths.pidfile);
    throw new DroverError('DROVER_ERR_CONTROL', `${service}: the master (pid ${pid ?? 'unknown'}) accepted the connection on ${paths.socket} but did not answer "${body.type}" within ${timeoutMs} ms.`, {
      hint: `it is alive but stuck (or stopped: "kill -CONT ${pid}"); "kill -TERM ${pid}" stops it, its workers exit with it.`,
    });
  } finally {
    client.close();
  }
}
