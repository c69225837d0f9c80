// Runs `node dist/cli.js …` in a project root and collects what it said.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { CLI, type Project } from './project.js';

export interface CliResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Close our end of its stdout at once, as `| head -c0` does: what it prints then fails with EPIPE. */
  closeStdout?: boolean;
  /** A file its stdout is opened on (`> /dev/full`), instead of a pipe to us. */
  stdoutTo?: string;
}

/** The environment for drover processes: ours, minus what would steer them elsewhere. */
export function droverEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  if (!('DROVER_ROOT' in extra)) delete env.DROVER_ROOT;
  return env;
}

export function runCli(project: Project, args: string[], options: CliOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const stdoutFd = options.stdoutTo === undefined ? null : fs.openSync(options.stdoutTo, 'w');
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? project.root,
    env: droverEnv(options.env),
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
  });
  if (stdoutFd !== null) fs.closeSync(stdoutFd); // the child has its own copy
  project.trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  if (options.closeStdout) child.stdout?.destroy();
  let exit = 'still running';
  project.transcript.add(
    () => `$ drover ${args.join(' ')}  (pid ${child.pid}) → ${exit}`,
    () => `${stdout}${stderr ? `\n[stderr]\n${stderr}` : ''}`,
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n[test helper: killed after ${timeoutMs} ms]`;
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      exit = `exit ${code ?? signal}`;
      resolve({ args, code, signal, stdout, stderr });
    });
  });
}

/** For assertion messages: the command and everything it printed. */
export function show(r: CliResult): string {
  return `\n$ drover ${r.args.join(' ')}\nexit: ${r.code ?? r.signal}\n[stdout]\n${r.stdout}\n[stderr]\n${r.stderr}`;
}
