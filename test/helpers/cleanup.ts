// Mandatory cleanup, run after every test whatever its outcome: SIGKILL every process the
// test caused (by pid: the ones it registered, then anything still running in the project
// folder), wait until they are gone, remove the folder.
import fs from 'node:fs';
import type { Project } from './project.js';
import { cwdOf, isAlive, killQuietly, pidsUnder } from './processes.js';
import { delay } from './wait.js';

export async function cleanupProject(project: Project): Promise<void> {
  for (const child of project.children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const pid of project.pids) {
    // A registered pid that now runs elsewhere was reused by an unrelated process: leave it.
    const cwd = cwdOf(pid);
    if (isAlive(pid) && (cwd === null || cwd === project.root || cwd.startsWith(`${project.root}/`))) killQuietly(pid);
  }
  // Masters respawn workers until they die themselves: sweep until nothing is left.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const left = [...pidsUnder(project.root), ...[...project.pids].filter((pid) => isAlive(pid) && cwdOf(pid) === project.root)];
    if (left.length === 0) break;
    if (Date.now() > deadline) {
      process.stderr.write(`cleanup: processes still alive in ${project.root}: ${left.join(', ')}\n`);
      break;
    }
    left.forEach((pid) => killQuietly(pid));
    await delay(25);
  }
  fs.rmSync(project.root, { recursive: true, force: true });
}
