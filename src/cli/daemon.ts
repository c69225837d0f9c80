// `start -d`: spawn the master detached, its output on the service's log file, and wait on an
// IPC channel until it says every worker is ready (exit 0, print status) or that start-up
// failed (exit 1, the reason and the log's tail). Then let it go.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { droverError, reviveError } from '../errors/index.js';
import { distDir, servicePaths } from '../core/paths.js';
import type { DaemonReport } from '../protocol/daemon-report.js';
import { makeDir, openForAppend } from '../core/writable.js';
import { isTagged } from '../protocol/envelope.js';
import type { ServiceStatus } from '../protocol/status.js';
import { readTail } from './log-tail.js';

const TAIL_LINES = 20;

export async function startDaemon(root: string, service: string, logFile: string | null): Promise<ServiceStatus> {
  const log = servicePaths(root, service, logFile).logFile;
  makeDir(path.dirname(log), "the daemon's log");
  const startOffset = fileSize(log);
  const out = openForAppend(log, "the daemon's log");
  const child = spawn(process.execPath, [path.join(distDir, 'master', 'main.js'), service, root], {
    cwd: root,
    detached: true,
    stdio: ['ignore', out, out, 'ipc'],
    env: process.env,
  });
  fs.closeSync(out);
  try {
    const report = await new Promise<DaemonReport | { type: 'exit'; code: number | null }>((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (m) => isTagged(m) && resolve(m as DaemonReport));
      child.once('exit', (code) => resolve({ type: 'exit', code }));
    });
    if (report.type === 'started') return report.status as ServiceStatus;
    const tail = readTail(log, startOffset, TAIL_LINES);
    if (report.type === 'start-failed') {
      const e = report.error;
      // An error with a code of its own says all there is (the log only repeats it); the tail
      // is for failures of the user's code, whose own output may tell why.
      const own = e.code !== 'DROVER_ERR_START_FAILED' && e.code !== 'DROVER_ERR_BOOT_FAILED';
      const logPart = own ? `log: ${log}` : tail && `log (${log}):\n${tail}`;
      throw reviveError(e, { details: logPart || undefined });
    }
    throw droverError('DROVER_ERR_START_FAILED', { service, masterExitCode: report.code, log }, { details: tail ? `log (${log}):\n${tail}` : undefined });
  } finally {
    child.removeAllListeners();
    if (child.connected) child.disconnect();
    child.unref();
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
