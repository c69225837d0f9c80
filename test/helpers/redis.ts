// Throw-away redis-server and redis-sentinel processes for tests: on free ports of 127.0.0.1
// (never 6379/26379), no persistence, started in the project root and tracked by pid, so the
// project's cleanup kills them whatever the test's outcome.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
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

export interface RedisOptions {
  /** Extra redis-server arguments (e.g. ['--replicaof', '127.0.0.1', '6380']). */
  args?: string[];
  /** Serve TLS only, with this certificate (PEM paths). */
  tls?: { cert: string; key: string };
}

export async function startRedis(p: Project, options: RedisOptions = {}): Promise<TestRedis> {
  const port = await freeRedisPort();
  const listen = options.tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', p.root, ...(options.args ?? [])];
  const child = await spawnReady(p, 'redis-server', args, port, options.tls !== undefined);
  return handle(child, port, `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`);
}

/** A redis-sentinel watching `primaryPort` as "mymaster" (quorum 1), quick to fail over. */
export async function startSentinel(p: Project, primaryPort: number, downAfterMs = 1000): Promise<TestRedis> {
  const port = await freeRedisPort();
  const file = p.file(`sentinel-${port}.conf`);
  fs.writeFileSync(
    file,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${p.root}`,
      `sentinel monitor mymaster 127.0.0.1 ${primaryPort} 1`,
      `sentinel down-after-milliseconds mymaster ${downAfterMs}`,
      'sentinel failover-timeout mymaster 10000',
      'sentinel parallel-syncs mymaster 1',
      '',
    ].join('\n'),
  );
  const child = await spawnReady(p, 'redis-sentinel', [file], port, false);
  return handle(child, port, `127.0.0.1:${port}`);
}

/** A self-signed certificate for 127.0.0.1 made with openssl, in the project: [cert, key] paths. */
export function selfSignedCert(p: Project): { cert: string; key: string } {
  const cert = p.file('tls/redis-cert.pem');
  const key = p.file('tls/redis-key.pem');
  fs.mkdirSync(p.file('tls'), { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

/** Asks a redis (or sentinel) one inline command: its reply line, or a bulk reply's text ('' when none came). */
export function ask(port: number, command: string, secure = false): Promise<string> {
  return new Promise((resolve) => {
    const socket = secure ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : net.connect({ host: '127.0.0.1', port });
    let text = '';
    const done = (line: string) => {
      socket.destroy();
      resolve(line);
    };
    socket.setTimeout(1000, () => done(''));
    socket.on('error', () => done(''));
    socket.on(secure ? 'secureConnect' : 'connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (data) => {
      text += data.toString();
      const end = text.indexOf('\r\n');
      if (end === -1) return;
      // A bulk reply ($<length>) is complete once its length has arrived; other replies after one line.
      if (text[0] !== '$') return done(text.slice(0, end));
      const length = Number(text.slice(1, end));
      if (length < 0 || text.length >= end + 2 + length) done(text.slice(end + 2, end + 2 + Math.max(length, 0)));
    });
  });
}

/** true when a redis-server answers PING on the port. */
export async function ping(port: number, secure = false): Promise<boolean> {
  return (await ask(port, 'PING', secure)).startsWith('+PONG');
}

async function freeRedisPort(): Promise<number> {
  let port = await freePort();
  while (port === 6379 || port === 26379) port = await freePort();
  return port;
}

async function spawnReady(p: Project, command: string, args: string[], port: number, secure: boolean): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: p.root, stdio: ['ignore', 'pipe', 'pipe'] });
  p.trackChild(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));
  p.transcript.add(`${command} :${port} (pid ${child.pid})`, () => output);
  await waitFor(`${command} on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`${command} exited (${child.exitCode}): ${output}`);
    // Any answer will do: a server that requires AUTH answers PING with -NOAUTH.
    return (await ask(port, 'PING', secure)) !== '' || null;
  }, { timeoutMs: 10_000 });
  return child;
}

function handle(child: ChildProcess, port: number, url: string): TestRedis {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    port,
    url,
    child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
