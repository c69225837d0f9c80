// Runs an ES module script in a project root, as an application's own script would run there
// (`drover` resolves from it), and collects what it printed.
import { spawn } from 'node:child_process';
import { droverEnv } from './cli.js';
import type { Project } from './project.js';

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runScript(p: Project, source: string, env: Record<string, string> = {}): Promise<ScriptResult> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: p.root, env: droverEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  p.trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  p.transcript.add(`script (pid ${child.pid})`, () => `${source}\n[stdout]\n${stdout}\n[stderr]\n${stderr}`);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
