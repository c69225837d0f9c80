// The master's own log lines before its log hub exists (config not loaded yet): the same
// text prefix, on stdout, which in daemon mode is the log file. Afterwards the hub writes them.
import { textPrefix } from '../log/line-format.js';

export type Logger = (message: string) => void;

export function createLogger(service: string): Logger {
  const source = { service, worker: null, pid: process.pid };
  return (message) => {
    process.stdout.write(`${textPrefix(new Date().toISOString(), source, 'stdout')}${message}\n`);
  };
}
