// A throw-away redis-server for tests: on a free port of 127.0.0.1 (never 6379), no
// persistence, started with the project root as its folder and tracked by pid, so the
// project's cleanup kills it whatever the test's outcome.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort } from './ports.js';
import type { Project } from './project.js';
import { waitFor } from './wait.js';

export interface TestRedis {
  port: number;
  url: string;
  child: ChildProcess;
  /** SIGKILLs it and waits until it is gone. */
  kill(): Promise<void>;
}

export async function startRedis(p: Project): Promise<TestRedis> {
  let port = await freePort();
  while (port === 6379) port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', p.root], {
    cwd: p.root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  p.trackChild(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));
  p.transcript.add(`redis-server :${port} (pid ${child.pid})`, () => output);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(`redis-server on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output}`);
    return (await ping(port)) || null;
  }, { timeoutMs: 10_000 });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** true when a redis-server answers PING on the port. */
export function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
