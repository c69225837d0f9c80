// Brings a master up in the order that matters, runs its loop, and takes it down again:
// signal handlers → config → pidfile lock → control socket → workers → loop → cleanup.
import { ControlClient } from '../control/client.js';
import { ControlServer } from '../control/server.js';
import { loadProcessConfig, loadServiceConfig } from '../config/load.js';
import { DroverError } from '../errors.js';
import { servicePaths } from '../paths.js';
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
import { plural } from '../words.js';

export interface RunMasterOptions {
  root: string;
  service: string;
  /** Foreground (debug) mode: hot reload, TypeScript sources, logs to the terminal. */
  debug: boolean;
}

export async function runMaster(options: RunMasterOptions): Promise<void> {
  const log = createLogger(options.service);
  const queue = new CommandQueue();
  installSignalHandlers(queue, log);
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
    pidfile = new Pidfile({
      service: options.service,
      pidfile: paths.pidfile,
      isLiveMaster: (pid) => answersAsMaster(options.service, paths.socket, pid),
      log,
    });
    await pidfile.acquire();
    sentinel = new OrphanSentinel();
    const arbiter = new Arbiter({ root: options.root, config, queue, sentinel, debug: options.debug, buildDir: build.outDir, notifier, log, warn: (m) => log(`WARNING: ${m}`) });
    const info = { startedAt: new Date(), version: droverVersion() };
    control = new ControlServer(paths.socket, controlHandlers(arbiter, queue, info));
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
    reportToParent({ proto: PROTO, type: 'started', status: await buildStatus(arbiter, info) });
    await arbiter.run();
    log('stopped');
  } catch (error) {
    const e = error instanceof DroverError ? error : new DroverError('DROVER_ERR_START_FAILED', String((error as Error)?.stack ?? error));
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
    clearInterval(keepAlive);
  }
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
