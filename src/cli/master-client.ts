// Talking to a service's master from the CLI: connect over the control socket, or explain
// precisely why not (not running; or a live pid that does not answer). Every request has a
// deadline: a stopped or hung master makes a command fail with DROVER_ERR_CONTROL_TIMEOUT,
// never hang.
import { ControlClient } from '../control/client.js';
import { DroverError, droverError, NotRunningError } from '../errors/index.js';
import { isAlive, readPid } from '../master/pid.js';
import { servicePaths } from '../core/paths.js';

type RequestBody = Parameters<ControlClient['request']>[0];

export async function connectMaster(root: string, service: string): Promise<ControlClient> {
  const paths = servicePaths(root, service);
  try {
    return await ControlClient.connect(service, paths.socket);
  } catch (error) {
    const pid = readPid(paths.pidfile);
    if (pid !== null && isAlive(pid)) {
      throw droverError('DROVER_ERR_CONTROL_UNREACHABLE', { service, pid, pidfile: paths.pidfile, socket: paths.socket });
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
/** While a long request runs, how often the CLI checks that the master still answers. */
const LIVENESS_INTERVAL_MS = 1000;

/** Asks one thing and closes. A master silent for `timeoutMs` is an error that names its pid. */
export async function askMaster<T>(root: string, service: string, body: RequestBody, timeoutMs = QUERY_TIMEOUT_MS): Promise<T> {
  const client = await connectMaster(root, service);
  try {
    return await client.request<T>(body, timeoutMs);
  } catch (error) {
    throw explainTimeout(error, root, service, `did not answer "${body.type}" within ${timeoutMs} ms`);
  } finally {
    client.close();
  }
}

/**
 * For requests that take as long as their work does (reload, stop): no deadline on the answer,
 * but the master must keep answering a ping on a second connection, so a master that is
 * stopped or hangs meanwhile makes this fail within QUERY_TIMEOUT_MS and a second.
 */
export async function askMasterAndWatch<T>(root: string, service: string, body: RequestBody, client?: ControlClient): Promise<T> {
  const own = client ?? (await connectMaster(root, service));
  let timer: NodeJS.Timeout | null = null;
  let watching = true;
  const silent = new Promise<never>((_, reject) => {
    const check = async () => {
      try {
        await askMaster(root, service, { type: 'ping' });
        if (watching) timer = setTimeout(check, LIVENESS_INTERVAL_MS);
      } catch (error) {
        // Only silence fails the request. A master that exits once it has answered `stop` no
        // longer answers pings at all; its answer (or the closed connection) settles the request.
        const silence = error instanceof DroverError && error.code === 'DROVER_ERR_CONTROL_TIMEOUT';
        if (silence && watching) reject(explainTimeout(error, root, service, `stopped answering while "${body.type}" ran`));
      }
    };
    timer = setTimeout(check, LIVENESS_INTERVAL_MS);
  });
  silent.catch(() => undefined);
  try {
    return await Promise.race([own.request<T>(body), silent]);
  } finally {
    watching = false;
    if (timer) clearTimeout(timer);
    if (!client) own.close();
  }
}

function explainTimeout(error: unknown, root: string, service: string, what: string): unknown {
  if (!(error instanceof DroverError) || error.code !== 'DROVER_ERR_CONTROL_TIMEOUT') return error;
  const paths = servicePaths(root, service);
  const pid = readPid(paths.pidfile);
  return droverError('DROVER_ERR_CONTROL_TIMEOUT', { service, pid, socket: paths.socket, what });
}
