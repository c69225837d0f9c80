// Which services a project has: one per config/worker_<name>.* file. Reads names only, never
// a config's code, so `status` and `all` stay cheap.
import fs from 'node:fs';
import { UnknownServiceError } from '../errors/index.js';
import { configDir } from '../core/paths.js';

/** config/worker_process.* configures the monitors, not a service. */
const RESERVED = new Set(['all', 'process']);
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function listServices(root: string): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(configDir(root));
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const entry of entries) {
    const m = /^worker_(.+)\.(js|mjs|cjs|json)$/.exec(entry);
    if (m && SERVICE_NAME.test(m[1]!) && !RESERVED.has(m[1]!)) names.add(m[1]!);
  }
  return [...names].sort();
}

export function checkServiceName(root: string, service: string): void {
  if (!SERVICE_NAME.test(service) || RESERVED.has(service)) throw new UnknownServiceError(service, listServices(root));
}

