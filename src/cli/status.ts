// `status`: ask the master over the control socket. Exit 3 when not running (LSB).
import { ConfigNotFoundError, NotRunningError } from '../errors/index.js';
import type { ServiceStatus } from '../protocol/status.js';
import { EXIT, flag, servicesOf, type CommandContext } from './context.js';
import { askMaster, QUERY_TIMEOUT_MS } from './master-client.js';
import { printError } from './print-error.js';
import { renderStatus } from './render-status.js';

const WATCH_INTERVAL_MS = 1000;

export async function status(ctx: CommandContext): Promise<number> {
  if (flag(ctx, 'watch')) return watch(ctx);
  const { code, output } = await collect(ctx);
  if (output) process.stdout.write(`${output}\n`);
  return code;
}

async function collect(ctx: CommandContext): Promise<{ code: number; output: string }> {
  const json = flag(ctx, 'json');
  let services: string[];
  try {
    services = servicesOf(ctx);
  } catch (error) {
    // An unconfigured name is not running either (LSB exit 3), said with the names there are.
    if (!(error instanceof ConfigNotFoundError) || ctx.service === 'all') throw error;
    if (!json) printError(error);
    return { code: EXIT.notRunning, output: json ? JSON.stringify({ service: ctx.service, state: 'stopped' }, null, 2) : '' };
  }
  const results = await Promise.all(
    services.map(async (service) => {
      try {
        return { service, status: await askMaster<ServiceStatus>(ctx.root, service, { type: 'status' }, QUERY_TIMEOUT_MS) };
      } catch (error) {
        return { service, error };
      }
    }),
  );
  let code: number = EXIT.ok;
  const parts: unknown[] = [];
  for (const r of results) {
    if ('status' in r) {
      parts.push(json ? r.status : renderStatus(r.status!));
      continue;
    }
    const notRunning = r.error instanceof NotRunningError;
    code = Math.max(code, notRunning ? EXIT.notRunning : EXIT.failed);
    if (json) parts.push({ service: r.service, state: 'stopped' });
    if (!json || !notRunning) printError(r.error);
  }
  if (json) return { code, output: JSON.stringify(ctx.service === 'all' ? parts : parts[0] ?? null, null, 2) };
  return { code, output: parts.join('\n\n') };
}

async function watch(ctx: CommandContext): Promise<number> {
  for (;;) {
    const { output } = await collect(ctx);
    process.stdout.write(`\x1b[2J\x1b[H${output}\n\n(refreshing every ${WATCH_INTERVAL_MS / 1000}s; Ctrl-C to quit)\n`);
    await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
  }
}
