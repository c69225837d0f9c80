// What every command gets: the project root, the service (or "all"), and its options.
import { listServices, checkServiceName } from '../config/services.js';
import fs from 'node:fs';
import path from 'node:path';
import { droverError, ConfigNotFoundError } from '../errors/index.js';
import { configDir, servicePaths } from '../core/paths.js';

export interface CommandContext {
  root: string;
  service: string;
  options: Record<string, unknown>;
}

/**
 * Exit codes: 0 ok, 1 failed, 2 usage, 3 not running (LSB, for status), 78 a production master
 * whose config or app cannot load (EX_CONFIG: a supervisor should not restart it).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, notRunning: 3, config: 78 } as const;

/** "all" fans out to every configured service, in name order. */
export function servicesOf(ctx: CommandContext): string[] {
  if (ctx.service !== 'all') {
    checkServiceName(ctx.root, ctx.service);
    // A name with no config and no master is a typo or the wrong folder: say which exist.
    const known = listServices(ctx.root);
    if (!known.includes(ctx.service) && !fs.existsSync(servicePaths(ctx.root, ctx.service).socket)) {
      throw new ConfigNotFoundError(ctx.service, path.relative(process.cwd(), configDir(ctx.root)) || '.', known);
    }
    return [ctx.service];
  }
  const services = listServices(ctx.root);
  if (services.length === 0) {
    throw droverError('DROVER_ERR_CONFIG_NOT_FOUND', { root: ctx.root });
  }
  return services;
}

/** Runs `fn` per service; the exit code is the worst one. Errors of one don't stop the rest. */
export async function forEachService(ctx: CommandContext, fn: (service: string) => Promise<number>): Promise<number> {
  const services = servicesOf(ctx);
  if (services.length === 1) return fn(services[0]!);
  let worst = 0;
  for (const service of services) {
    try {
      worst = Math.max(worst, await fn(service));
    } catch (error) {
      const { printError } = await import('./print-error.js');
      printError(error);
      worst = Math.max(worst, EXIT.failed);
    }
  }
  return worst;
}

export function flag(ctx: CommandContext, name: string): boolean {
  return ctx.options[name] === true;
}
