// Finds and loads config/worker_<service>.{js,mjs,cjs,json}, once per (re)load, and hands it
// to the validator. Only the master and the CLI load configs; workers get the validated copy.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, ConfigNotFoundError } from '../errors/index.js';
import { configDir } from '../core/paths.js';
import { importConfig } from './import-config.js';
import { checkServiceName, listServices } from './services.js';
import { validateProcessConfig, type ProcessConfig } from './process-config.js';
import type { ServiceConfig } from './types.js';
import { validateServiceConfig } from './validate.js';

const EXTENSIONS = ['.js', '.mjs', '.cjs', '.json'] as const;

export function findConfigFile(root: string, service: string): string {
  checkServiceName(root, service);
  const file = existingConfigFile(root, service);
  if (file) return file;
  throw new ConfigNotFoundError(service, path.relative(process.cwd(), configDir(root)) || '.', listServices(root));
}

function existingConfigFile(root: string, name: string): string | null {
  for (const ext of EXTENSIONS) {
    const file = path.join(configDir(root), `worker_${name}${ext}`);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

/** config/worker_process.*: the monitors (hot reload). Optional: defaults when absent. */
export async function loadProcessConfig(root: string): Promise<ProcessConfig> {
  const file = existingConfigFile(root, 'process');
  if (!file) return validateProcessConfig('config/worker_process.js', {});
  const shown = path.relative(root, file);
  return validateProcessConfig(shown, await importConfig(file, shown));
}

export async function loadServiceConfig(root: string, service: string): Promise<ServiceConfig> {
  const file = findConfigFile(root, service);
  const shown = path.relative(root, file);
  const raw = await importConfig(file, shown);
  const config = validateServiceConfig(service, shown, raw);
  checkPublicDir(root, config);
  return config;
}

/** A "publicDir" set in the file must be a folder: refused here, before any worker is forked. */
function checkPublicDir(root: string, config: ServiceConfig): void {
  if (config.kind !== 'http' || !config.static?.required) return;
  const dir = path.resolve(root, config.static.dir);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ConfigError(config.source, `"publicDir" names ${config.static.dir}, which is not a folder under ${root}.`);
  }
}
