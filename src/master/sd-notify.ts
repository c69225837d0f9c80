// systemd's readiness protocol (sd_notify(3)) for a Type=notify unit, with no native module.
//
// The protocol is one datagram on the AF_UNIX socket named by $NOTIFY_SOCKET, and Node has no
// Unix datagram sockets. So each state change runs systemd's own `systemd-notify`, present
// wherever systemd is: `--pid=<master>` names the master as the sender and MAINPID says it
// again; the unit sets NotifyAccess=all because the datagram comes from the helper. Since
// systemd 246 the helper waits (a barrier) until systemd has read the message, so it is not
// lost to the race of a sender that exits first. A state change costs one short-lived
// process, a few times per deployment (start, reload, stop), never per request.
//
// Messages are sent one after the other, in order. Failures are logged once and never stop
// the master: a unit that waits for READY=1 in vain times out, which systemd reports.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Notifier {
  /** Every worker is ready (start-up or the end of a reload). */
  ready(status: string): void;
  /** A reload begins; systemd ≥ 253 wants MONOTONIC_USEC with it. */
  reloading(status: string): void;
  stopping(status: string): void;
  /** Resolves once every message sent so far has been delivered (or has failed). */
  flush(): Promise<void>;
}

const NONE: Notifier = { ready: () => undefined, reloading: () => undefined, stopping: () => undefined, flush: async () => undefined };

/**
 * A notifier for $NOTIFY_SOCKET, or one that does nothing outside systemd. The variable is
 * removed from this process's environment, so workers (and the user's code in them) never
 * report readiness on the master's behalf.
 */
export function systemdNotifier(log: (message: string) => void, env = process.env): Notifier {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return NONE;
  delete env.NOTIFY_SOCKET;
  const command = findSystemdNotify();
  let chain: Promise<void> = Promise.resolve();
  let warned = false;
  const send = (...assignments: string[]): void => {
    const args = [`--pid=${process.pid}`, `MAINPID=${process.pid}`, ...assignments];
    chain = chain.then(() => run(command, args, socket)).catch((error: Error) => {
      if (warned) return;
      warned = true;
      log(`systemd notification failed (${error.message}): is "systemd-notify" installed? (NOTIFY_SOCKET=${socket})`);
    });
  };
  return {
    ready: (status) => send('READY=1', `STATUS=${status}`),
    reloading: (status) => send('RELOADING=1', `MONOTONIC_USEC=${process.hrtime.bigint() / 1000n}`, `STATUS=${status}`),
    stopping: (status) => send('STOPPING=1', `STATUS=${status}`),
    flush: () => chain,
  };
}

function run(command: string, args: string[], socket: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NOTIFY_SOCKET: socket } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}${stderr ? `: ${stderr.trim()}` : ''}`))));
  });
}

function findSystemdNotify(): string {
  for (const dir of ['/usr/bin', '/bin']) {
    const candidate = path.join(dir, 'systemd-notify');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'systemd-notify'; // on PATH, or a clear ENOENT in the log
}
