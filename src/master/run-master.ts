// Brings a master up in the order that matters, runs its loop, and takes it down again:
// signal handlers → config → pidfile lock → control socket → workers → loop → cleanup.
import { ControlClient } from '../control/client.js';
import { ControlServer } from '../control/server.js';
import { loadProcessConfig, loadServiceConfig } from '../config/load.js';
import type { ServiceConfig } from '../config/types.js';
import { DroverError, droverError, LogFileError } from '../errors/index.js';
import { guardStdio } from '../log/guard.js';
import { LogHub } from '../log/hub.js';
import { servicePaths } from '../core/paths.js';
import { pinTickObjectMaps } from '../core/pin-tick-maps.js';
import type { DaemonReport } from '../protocol/daemon-report.js';
import { PROTO } from '../protocol/envelope.js';
import { Arbiter, planSlots } from './arbiter.js';
import { CommandQueue } from './command-queue.js';
import { controlHandlers } from './control-handlers.js';
import { createLogger } from './log.js';
import { WorkerMonitor } from './monitor.js';
import { OrphanSentinel } from './orphan-sentinel.js';
import { Pidfile } from './pidfile.js';
import { systemdNotifier } from './sd-notify.js';
import { installSignalHandlers } from './signals.js';
import { buildStatus } from './status-report.js';
import { droverVersion } from './version.js';
import { plural } from '../core/words.js';

export interface RunMasterOptions {
  root: string;
  service: string;
  /** Foreground (debug) mode: hot reload, TypeScript sources, logs to the terminal. */
  debug: boolean;
  /** Where the log lines go: the service's log file (a daemon), or this process's stdout/stderr (default: the foreground modes). */
  logTo?: 'file' | 'stdio';
}

export async function runMaster(options: RunMasterOptions): Promise<void> {
  guardStdio();
  // The master hands every rr connection on and idles in between: see pin-tick-maps.ts.
  pinTickObjectMaps();
  let logs: LogHub | null = null;
  const early = createLogger(options.service);
  const log = (message: string) => (logs ? logs.log(message) : early(message));
  const queue = new CommandQueue();
  installSignalHandlers(queue, () => reopenLogs(logs, log));
  const notifier = systemdNotifier(log);
  // A pending promise does not keep Node alive; until the control socket listens, this does.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let pidfile: Pidfile | null = null;
  let control: ControlServer | null = null;
  let sentinel: OrphanSentinel | null = null;
  let monitor: WorkerMonitor | null = null;
  let metrics: { close(): void } | null = null;
  let watcher: { close(): Promise<void> } | null = null;
  try {
    const config = await loadServiceConfig(options.root, options.service);
    const { hotReload, build } = await loadProcessConfig(options.root);
    const paths = servicePaths(options.root, options.service, config.logFile);
    logs = openLogs(options, config, paths.logFile);
    pidfile = new Pidfile({
      service: options.service,
      pidfile: paths.pidfile,
      isLiveMaster: (pid) => answersAsMaster(options.service, paths.socket, pid),
      log,
    });
    await pidfile.acquire();
    sentinel = new OrphanSentinel();
    const arbiter = new Arbiter({ root: options.root, config, queue, sentinel, debug: options.debug, buildDir: build.outDir, notifier, log, warn: (m) => (logs ? logs.log(`WARNING: ${m}`, 'stderr') : early(`WARNING: ${m}`)), logs });
    const info = { startedAt: new Date(), version: droverVersion() };
    control = new ControlServer(paths.socket, controlHandlers(arbiter, queue, info, logs), (request, lateMs) =>
      log(`control request "${request.type}" dropped: read ${lateMs} ms after its deadline (its client had given up)`),
    );
    await control.listen();
    if (config.metrics) {
      // Loaded only when asked for: a master without metrics carries none of it.
      const { MetricsServer } = await import('./metrics/server.js');
      const server = new MetricsServer(arbiter, config.metrics, info.startedAt);
      metrics = server;
      await server.listen();
      log(`metrics on ${server.address}/metrics, live page on ${server.address}/`);
    }
    arbiter.setupCluster();
    log(`starting ${plural(planSlots(config).length, 'worker')} for ${config.listen?.url ?? config.service} (node ${process.version})`);
    await arbiter.start();
    monitor = new WorkerMonitor(arbiter, queue, log);
    monitor.start();
    if (options.debug ? hotReload.enabled : hotReload.inDaemon) {
      const { startHotReload } = await import('./hot-reload.js');
      watcher = await startHotReload(options.root, hotReload, queue, log);
    }
    notifier.ready(`${plural(arbiter.slots.length, 'worker')} ready${config.listen ? ` on ${config.listen.url}` : ''}`);
    reportToParent({ proto: PROTO, type: 'started', status: await buildStatus(arbiter, info, logs) });
    await arbiter.run();
    log('stopped');
  } catch (error) {
    const e =
      error instanceof DroverError
        ? error
        : droverError('DROVER_ERR_START_FAILED', { service: options.service, failure: error instanceof Error ? error.message : String(error), stackBelow: error instanceof Error }, { details: error instanceof Error ? error.stack : undefined });
    reportToParent({ proto: PROTO, type: 'start-failed', error: e.toJSON() });
    throw e;
  } finally {
    monitor?.stop();
    metrics?.close();
    await watcher?.close();
    sentinel?.close();
    await pidfile?.remove();
    for (const waiter of queue.stopWaiters) waiter.resolve();
    await notifier.flush();
    // Let the answers to `stop` reach the socket before it closes.
    await new Promise((resolve) => setImmediate(resolve));
    control?.close();
    await logs?.close();
    clearInterval(keepAlive);
  }
}

function openLogs(options: RunMasterOptions, config: ServiceConfig, logFile: string): LogHub {
  const to = options.logTo ?? 'stdio';
  try {
    return new LogHub({
      service: options.service,
      format: config.logFormat,
      destination: to === 'stdio' ? { kind: 'stdio' } : { kind: 'file', path: logFile, maxSize: config.logMaxSize, maxFiles: config.logMaxFiles },
    });
  } catch (error) {
    throw new LogFileError(logFile, error as NodeJS.ErrnoException);
  }
}

/** SIGUSR1 (what logrotate's postrotate sends, as to nginx and Gunicorn). */
function reopenLogs(logs: LogHub | null, log: (message: string) => void): void {
  logs?.reopen().then(
    () => log('log reopened (SIGUSR1)'),
    (error: NodeJS.ErrnoException) => logs.log(`log not reopened (SIGUSR1): ${error.code ?? error.message}; lines keep going to the file that was open`, 'stderr'),
  );
}

async function answersAsMaster(service: string, socket: string, pid: number): Promise<boolean> {
  try {
    const client = await ControlClient.connect(service, socket, 1000);
    try {
      const answer = await client.request<{ pid: number }>({ type: 'ping' }, 1000);
      return answer.pid === pid;
    } finally {
      client.close();
    }
  } catch {
    return false;
  }
}

function reportToParent(report: DaemonReport): void {
  if (!process.send || !process.connected) return;
  process.send(report, undefined, {}, () => {
    if (process.connected) process.disconnect();
  });
}
