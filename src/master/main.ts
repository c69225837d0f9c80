// Entry point of a daemonized master: `node dist/master/main.js <service> <root> [--debug]`.
// The CLI spawns it detached, with stdout/stderr on the service's log file.
import { DroverError } from '../errors/index.js';
import { textPrefix } from '../log/line-format.js';
import { runMaster } from './run-master.js';

const [service, root] = process.argv.slice(2);
if (!service || !root) {
  process.stderr.write('usage: node dist/master/main.js <service> <root> [--debug]\n');
  process.exit(2);
}

try {
  const debug = process.argv.includes('--debug');
  // Without --debug this is a daemon (start -d): its log is the service's log file. With it,
  // one of the masters of a foreground `all start`, sharing the terminal.
  await runMaster({ service, root, debug, logTo: debug ? 'stdio' : 'file' });
  process.exit(0);
} catch (error) {
  const e = error as DroverError;
  process.stderr.write(`${textPrefix(new Date().toISOString(), { service, worker: null, pid: process.pid }, 'stderr')}error: ${e.message}\n`);
  if (e.details) process.stderr.write(`${e.details}\n`);
  process.exit(1);
}
