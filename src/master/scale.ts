// The rules of `scale`, apart from the processes: which role a request means, the count it
// asks for, the config the workers see afterwards, and what a later reload keeps.
//
// The rule for reloads: a count set by `scale` holds until the config file's own count for
// that role changes. A reload that reads the same count as when `scale` ran keeps the scaled
// count; one that reads a different count takes the file's (the operator edited it since).
import type { ServiceConfig } from '../config/types.js';
import { droverError } from '../errors/index.js';

/** More workers than this on one host is a typo, not a plan. */
export const MAX_WORKERS_PER_ROLE = 256;

export type ScaleTarget = { set: number } | { delta: number };

export interface ScaleOverride {
  /** The count `scale` set. */
  count: number;
  /** The config file's count for the role when it did. */
  fileCount: number;
}

export function rolesOf(config: ServiceConfig): string[] {
  if (config.kind === 'ws') return ['gateway', 'business'];
  return [config.kind === 'http' ? 'http' : config.service];
}

export function roleCount(config: ServiceConfig, role: string): number {
  if (config.kind === 'ws') return role === 'gateway' ? config.gateway.count : config.business.count;
  return config.count;
}

/** The same config with `role` at `count` workers (frozen like the one it came from). */
export function withRoleCount(config: ServiceConfig, role: string, count: number): ServiceConfig {
  if (config.kind === 'ws') {
    return Object.freeze(role === 'gateway' ? { ...config, gateway: Object.freeze({ count }) } : { ...config, business: Object.freeze({ count }) });
  }
  return Object.freeze({ ...config, count });
}

/** The config a reload runs: the file's, with each scaled count kept unless the file's count moved. */
export function applyOverrides(
  fileConfig: ServiceConfig,
  overrides: Map<string, ScaleOverride>,
): { config: ServiceConfig; kept: string[]; dropped: string[] } {
  let config = fileConfig;
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const [role, override] of [...overrides]) {
    const fileCount = roleCount(fileConfig, role);
    if (fileCount === override.fileCount) {
      config = withRoleCount(config, role, override.count);
      kept.push(`${role}: ${override.count} workers as set by scale (the config says ${fileCount})`);
    } else {
      overrides.delete(role);
      dropped.push(`${role}: the config's count changed (${override.fileCount} → ${fileCount}), so it replaces the ${override.count} set by scale`);
    }
  }
  return { config, kept, dropped };
}

/** Which role a request means; refuses what cannot be scaled at runtime. */
export function resolveRole(config: ServiceConfig, role: string | null): string {
  const roles = rolesOf(config);
  if (role === null) {
    if (roles.length === 1) return roles[0]!;
    throw droverError('DROVER_ERR_SCALE_REFUSED', { service: config.service, roles });
  }
  if (!roles.includes(role)) throw droverError('DROVER_ERR_SCALE_REFUSED', { service: config.service, role, roles });
  return role;
}

/**
 * Ids for `count` new slots of `role`. Slots keep their ids for life (client ids name their
 * gateway by it, metrics count by it), so a new slot first takes back an id its role had
 * before, then one no slot ever had: an id never passes from one role to another.
 * `given` is every id handed out so far, with its role.
 */
export function newSlotIds(given: ReadonlyMap<number, string>, live: ReadonlySet<number>, role: string, count: number): number[] {
  const ids = [...given].filter(([id, r]) => r === role && !live.has(id)).map(([id]) => id).sort((a, b) => a - b).slice(0, count);
  let next = Math.max(0, ...given.keys()) + 1;
  while (ids.length < count) ids.push(next++);
  return ids;
}

/** Which of a role's slots go when it shrinks by `count`: the highest ids (the newest, as a fresh start numbers them). */
export function slotsToRemove<S extends { id: number; role: string }>(slots: readonly S[], role: string, count: number): S[] {
  return slots.filter((s) => s.role === role).sort((a, b) => b.id - a.id).slice(0, count);
}

export function targetCount(current: number, target: ScaleTarget, service: string, role: string): number {
  const count = 'set' in target ? target.set : current + target.delta;
  if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS_PER_ROLE) {
    throw droverError('DROVER_ERR_SCALE_REFUSED', { service, role, count, current, max: MAX_WORKERS_PER_ROLE });
  }
  return count;
}
