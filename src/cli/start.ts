// `start`: foreground (debug) runs the master in this process, logs on the terminal, Ctrl-C
// stops; `-d` daemonizes and returns when every worker is ready.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadServiceConfig } from '../config/load.js';
import { AlreadyRunningError, DroverError, NotRunningError, UsageError } from '../errors/index.js';
import { distDir, servicePaths } from '../core/paths.js';
import { ControlClient } from '../control/client.js';
import { EXIT, flag, servicesOf, type CommandContext } from './context.js';
import { startDaemon } from './daemon.js';
import { printError } from './print-error.js';
import { renderStatus } from './render-status.js';

export async function start(ctx: CommandContext): Promise<number> {
  const services = servicesOf(ctx);
  if (productionForeground(ctx)) {
    if (services.length > 1) {
      throw new UsageError({ kind: 'production-one-service', services });
    }
    return startInProduction(ctx.root, services[0]!);
  }
  if (flag(ctx, 'daemon')) {
    const { forEachService } = await import('./context.js');
    return forEachService(ctx, (service) => startInBackground(ctx.root, service));
  }
  if (services.length === 1) return startInForeground(ctx.root, services[0]!);
  return startSeveralInForeground(ctx.root, services);
}

async function startInBackground(root: string, service: string): Promise<number> {
  await refuseIfRunning(root, service);
  // Validate here too, so a bad config fails fast and prints without a log detour.
  const config = await loadServiceConfig(root, service);
  const status = await startDaemon(root, service, config.logFile);
  process.stdout.write(`${renderStatus(status)}\n\n${service} started in the background; log: ${servicePaths(root, service, config.logFile).logFile}\n`);
  return EXIT.ok;
}

async function startInForeground(root: string, service: string): Promise<number> {
  const { runMaster } = await import('../master/run-master.js');
  await runMaster({ root, service, debug: true });
  return EXIT.ok;
}

/**
 * The production foreground mode, for a container's entrypoint or a systemd Type=notify unit:
 * `start --production`, or a foreground `start` under NODE_ENV=production (the variable Node's
 * ecosystem reads for "production"). -d is production already.
 */
export function productionForeground(ctx: CommandContext): boolean {
  if (flag(ctx, 'daemon')) return false;
  return flag(ctx, 'production') || process.env.NODE_ENV === 'production';
}

/**
 * Compiled code, no watcher, logs on stdout/stderr, READY=1 to systemd once every worker is
 * ready. The exit status tells a supervisor what happened: 0 stopped on request (SIGTERM,
 * SIGINT, `drover stop`); 78 (EX_CONFIG) the config or the app cannot be loaded, so restarting
 * will not help (units set RestartPreventExitStatus=78); 1 any other failure to start or run.
 */
async function startInProduction(root: string, service: string): Promise<number> {
  const { runMaster } = await import('../master/run-master.js');
  try {
    await runMaster({ root, service, debug: false });
    return EXIT.ok;
  } catch (error) {
    printError(error);
    return error instanceof DroverError && NOT_RESTARTABLE.has(error.code) ? EXIT.config : EXIT.failed;
  }
}

const NOT_RESTARTABLE = new Set<string>(['DROVER_ERR_CONFIG', 'DROVER_ERR_CONFIG_NOT_FOUND', 'DROVER_ERR_UNKNOWN_SERVICE', 'DROVER_ERR_APP_LOAD', 'DROVER_ERR_APP_EXPORT']);

/** `all start` in the foreground: one master process per service, sharing this terminal. */
async function startSeveralInForeground(root: string, services: string[]): Promise<number> {
  for (const service of services) await refuseIfRunning(root, service);
  const children = services.map((service) =>
    spawn(process.execPath, [path.join(distDir, 'master', 'main.js'), service, root, '--debug'], { cwd: root, stdio: 'inherit' }),
  );
  // Signals sent to us are passed on. Ctrl-C also reaches the masters through the process
  // group: a second SIGINT is merged by their queues, never a harder stop.
  const forward = (signal: NodeJS.Signals) => children.forEach((c) => c.kill(signal));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGUSR2', 'SIGHUP'] as const) process.on(signal, () => forward(signal));
  const codes = await Promise.all(children.map((c) => new Promise<number>((resolve) => c.once('exit', (code) => resolve(code ?? 1)))));
  return Math.max(...codes);
}

async function refuseIfRunning(root: string, service: string): Promise<void> {
  const paths = servicePaths(root, service);
  let client: ControlClient;
  try {
    client = await ControlClient.connect(service, paths.socket, 1000);
  } catch (error) {
    if (error instanceof NotRunningError) return;
    throw error;
  }
  try {
    const { pid } = await client.request<{ pid: number }>({ type: 'ping' }, 2000);
    throw new AlreadyRunningError(service, pid);
  } finally {
    client.close();
  }
}
