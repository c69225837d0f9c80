// `logs`: the last lines of a service's log (-n, default 20), optionally only one worker's
// (--worker 2, or --worker master), and with -f what follows, across reopen and rotation.
import fs from 'node:fs';
import { loadServiceConfig } from '../config/load.js';
import { LogNotFoundError, UsageError } from '../errors/index.js';
import { parseLine } from '../log/line-format.js';
import { followFile } from '../log/follow.js';
import { readLastLines } from '../log/read-tail.js';
import { servicePaths } from '../core/paths.js';
import { EXIT, flag, servicesOf, type CommandContext } from './context.js';

const DEFAULT_LINES = 20;

export async function logs(ctx: CommandContext): Promise<number> {
  const services = servicesOf(ctx);
  if (services.length !== 1) throw new UsageError({ kind: 'logs-one-service', services });
  const service = services[0]!;
  const config = await loadServiceConfig(ctx.root, service);
  const file = servicePaths(ctx.root, service, config.logFile).logFile;
  if (!fs.existsSync(file)) throw new LogNotFoundError(service, file);
  const keep = workerFilter(ctx.options.worker);
  const count = lineCount(ctx.options.lines);
  const { lines, size } = readLastLines(file, count, keep);
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  if (!flag(ctx, 'follow')) return EXIT.ok;
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  await followFile(file, size, (line) => keep(line) && process.stdout.write(`${line}\n`), stop.signal);
  return EXIT.ok;
}

function lineCount(value: unknown): number {
  if (value === undefined) return DEFAULT_LINES;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError({ kind: 'logs-lines', received: String(value) });
  return n;
}

/** --worker N keeps worker N's lines, --worker master the master's; no option keeps every line. */
function workerFilter(value: unknown): (line: string) => boolean {
  if (value === undefined) return () => true;
  const wanted = String(value);
  if (wanted !== 'master' && !/^[1-9][0-9]*$/.test(wanted)) throw new UsageError({ kind: 'logs-worker', received: wanted });
  const id = wanted === 'master' ? null : Number(wanted);
  return (line) => {
    const record = parseLine(line);
    return record !== null && record.worker === id;
  };
}
