// Asking about processes by pid, and ending them by pid. Never by name: other tests, and other
// people's drover services, run on the same machine.
import fs from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** A dead daemon stays a zombie until init reaps it; kill(pid, 0) still succeeds on it. */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** SIGKILL, ignoring a process that is already gone. */
export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The working directory of a live process, or null (gone, zombie, not ours). */
export function cwdOf(pid: number): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/**
 * Every live process (but this one) whose working directory is `dir` or below it. Masters,
 * workers and the master's sentinel shell all run in the project root, so this finds what a
 * test left behind even when it never learnt a pid. Linux only (/proc).
 */
export function pidsUnder(dir: string): number[] {
  const real = fs.realpathSync(dir);
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const cwd = cwdOf(pid);
    if (cwd !== null && (cwd === real || cwd.startsWith(`${real}/`)) && isAlive(pid)) pids.push(pid);
  }
  return pids;
}
