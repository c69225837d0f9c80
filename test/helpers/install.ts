// drover as a user gets it: `npm pack` of this checkout (built already: no scripts run, so
// nothing rewrites dist/ under the other tests), installed with npm into a fresh project, run
// through `npx drover`. npm's cache is warm after `npm ci`; --prefer-offline uses it and still
// reaches the registry for anything missing (CI has one).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { droverEnv, type CliResult } from './cli.js';
import { DROVER_DIR, type Project } from './project.js';

/** Runs `command args` in `cwd`, tracked for cleanup and shown in the transcript. */
export function runCommand(p: Project, command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<CliResult> {
  const child = spawn(command, args, { cwd, env: droverEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }), stdio: ['ignore', 'pipe', 'pipe'] });
  p.trackChild(child);
  let stdout = '';
  let stderr = '';
  let exit = 'still running';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  p.transcript.add(() => `$ (${path.relative(p.root, cwd) || '.'}) ${command} ${args.join(' ')}  (pid ${child.pid}) → ${exit}`, () => `${stdout}${stderr ? `\n[stderr]\n${stderr}` : ''}`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      exit = `exit ${code ?? signal}`;
      resolve({ args: [command, ...args], code, signal, stdout, stderr });
    });
  });
}

/** `npm pack` of this checkout into `dir`; the tarball's path. */
export async function packDrover(p: Project, dir: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const r = await runCommand(p, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], DROVER_DIR);
  if (r.code !== 0) throw new Error(`npm pack failed:\n${r.stdout}\n${r.stderr}`);
  const [{ filename }] = JSON.parse(r.stdout) as Array<{ filename: string }>;
  return path.join(dir, path.basename(filename));
}

/** A fresh project folder with this package.json, drover installed from `tarball`. */
export async function installInto(p: Project, dir: string, packageJson: object, tarball: string): Promise<CliResult> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  return runCommand(p, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], dir);
}
