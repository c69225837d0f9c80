// The production foreground mode (`drover <service> start --production`) spawned the way a
// supervisor would: directly, under a shell that closes its stdout, or as PID 1 of its own PID
// namespace. And a stand-in for systemd's notify socket that records what the master reported.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { droverEnv } from './cli.js';
import { ForegroundMaster } from './foreground.js';
import { CLI, type Project } from './project.js';
import { waitFor } from './wait.js';

export interface ProductionOptions {
  env?: Record<string, string | undefined>;
  /** Runs the CLI through this prefix (e.g. unshare …); the CLI's argv is appended. */
  prefix?: string[];
  /** A shell redirection applied to the CLI, e.g. ">&-" to close its stdout. */
  redirect?: string;
}

export function spawnProduction(p: Project, service: string, options: ProductionOptions = {}): ForegroundMaster {
  const argv = [process.execPath, CLI, service, 'start', '--production'];
  let command = argv;
  if (options.redirect) command = ['/bin/sh', '-c', `exec "$@" ${options.redirect}`, 'sh', ...argv];
  if (options.prefix) command = [...options.prefix, ...command];
  const child = spawn(command[0]!, command.slice(1), { cwd: p.root, env: droverEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  p.trackChild(child);
  const master = new ForegroundMaster(child);
  p.transcript.add(`$ ${command.slice(0, -4).join(' ')} drover ${service} start --production  (pid ${child.pid})`, () => `${master.output()}${master.exit ? `\n→ exit ${master.exit.code ?? master.exit.signal}` : ''}`);
  return master;
}

const NOTIFY_HELPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'notify-socket.py');

export interface Notification {
  message: string;
  /** The sender's pid, from SCM_CREDENTIALS. */
  pid: number | null;
  /** The message as assignments: READY=1 → { READY: '1' }. */
  fields: Record<string, string>;
}

/** A unix datagram socket bound by a python3 helper (Node cannot bind one), as systemd's would be. */
export class NotifySocket {
  readonly received: Notification[] = [];
  private constructor(readonly path: string) {}

  static async bind(p: Project): Promise<NotifySocket> {
    const socketPath = p.file('notify.sock');
    const child = spawn('python3', [NOTIFY_HELPER, socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.trackChild(child);
    const socket = new NotifySocket(socketPath);
    let buffer = '';
    let stderr = '';
    let bound = false;
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      buffer += s;
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line === 'bound') bound = true;
        else socket.record(JSON.parse(line) as { message: string; pid: number | null });
      }
    });
    p.transcript.add(`notify socket stand-in (pid ${child.pid})`, () => `${socket.received.map((n) => JSON.stringify(n.message)).join('\n')}${stderr ? `\n[stderr]\n${stderr}` : ''}`);
    await waitFor('the notify socket stand-in to bind', () => bound || child.exitCode !== null);
    if (!bound) throw new Error(`the notify socket stand-in failed:\n${stderr}`);
    return socket;
  }

  /** Messages other than systemd-notify's BARRIER=1 handshakes. */
  get messages(): Notification[] {
    return this.received.filter((n) => !('BARRIER' in n.fields));
  }

  waitFor(what: string, predicate: (n: Notification) => boolean): Promise<Notification> {
    return waitFor(`a notification with ${what}`, () => this.messages.find(predicate));
  }

  private record(raw: { message: string; pid: number | null }): void {
    const fields = Object.fromEntries(raw.message.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    this.received.push({ ...raw, fields });
  }
}
