// Reading a pidfile and asking whether a pid lives, without loading the lock library.
import fs from 'node:fs';

export function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A daemon's parent is init, which may take its time to reap it (seen here: 1.6 s); until then
 * kill(pid, 0) still succeeds on the dead process. Linux only; elsewhere we cannot tell.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** The process's state letter in /proc (R, S, T = stopped, Z, ...), or null where unknown. */
export function processState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/**
 * Is `pid` a drover master of `service` (a daemon's `master/main.js <service>`, or a foreground
 * `cli.js <service> start`)? Guards a pid read from a pidfile against reuse before we signal it.
 * Without /proc (not Linux) we cannot tell, and trust the pidfile.
 */
export function isDroverMaster(pid: number, service: string): boolean {
  let args: string[];
  try {
    args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return !fs.existsSync('/proc/self');
  }
  const entry = args.findIndex((a) => /(?:master[/\\]main\.js|cli\.js|drover)$/.test(a));
  return entry >= 0 && args.slice(entry + 1).includes(service);
}

/** Every descendant of `pid` (workers, the orphan sentinel), children before grandchildren. Linux only. */
export function descendantPids(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${parent}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      let children = '';
      try {
        children = fs.readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
        if (!found.includes(child)) {
          found.push(child);
          queue.push(child);
        }
      }
    }
  }
  return found;
}
