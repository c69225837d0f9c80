// Module hooks: app/<module>/<Module>.ts may export onWorkerStart, onWorkerStop (and, for the
// WebSocket service, onWebSocketConnect / onWebSocketClose). Each runs in every worker of the
// service, modules in alphabetical order.
import fs from 'node:fs';
import path from 'node:path';
import type { WorkerContext } from './context.js';
import { findModuleFile, importUserModule } from './user-module.js';

export const HOOK_NAMES = ['onWorkerStart', 'onWorkerStop', 'onWebSocketConnect', 'onWebSocketClose'] as const;
export type HookName = (typeof HOOK_NAMES)[number];
type Hook = (...args: unknown[]) => unknown;

export class ModuleHooks {
  private constructor(private readonly hooks: Map<HookName, Array<{ module: string; fn: Hook }>>) {}

  static empty(): ModuleHooks {
    return new ModuleHooks(new Map());
  }

  /** Collects hooks from the module core files under app/. */
  static async fromAppDir(root: string, toCode: (source: string) => string = (f) => f): Promise<ModuleHooks> {
    const appDir = path.join(root, 'app');
    let modules: string[] = [];
    try {
      modules = fs.readdirSync(appDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    } catch {
      return ModuleHooks.empty();
    }
    const hooks = new ModuleHooks(new Map());
    for (const module of modules) {
      const core = module.charAt(0).toUpperCase() + module.slice(1);
      const file = findModuleFile(root, path.join('app', module, core));
      if (file) hooks.add(module, await importUserModule(toCode(file), root));
    }
    return hooks;
  }

  /** Hooks exported by one module (a custom service's handler). */
  static fromExports(module: string, exports: Record<string, unknown>): ModuleHooks {
    const hooks = new ModuleHooks(new Map());
    hooks.add(module, exports);
    return hooks;
  }

  has(name: HookName): boolean {
    return (this.hooks.get(name)?.length ?? 0) > 0;
  }

  /** Runs every hook of that name in turn; the first one that throws stops the rest. */
  async run(name: HookName, ...args: unknown[]): Promise<void> {
    for (const { module, fn } of this.hooks.get(name) ?? []) {
      try {
        await fn(...args);
      } catch (error) {
        throw Object.assign(new Error(`${name} of module "${module}" threw: ${(error as Error)?.message ?? error}`), {
          stack: (error as Error)?.stack,
        });
      }
    }
  }

  private add(module: string, exports: Record<string, unknown>): void {
    // Named exports, or static methods / properties of a default export (class or object).
    const fallback = exports.default;
    const holder = typeof fallback === 'object' || typeof fallback === 'function' ? (fallback as Record<string, unknown> | null) : null;
    for (const name of HOOK_NAMES) {
      const own = exports[name];
      const fn = typeof own === 'function' ? own : holder?.[name];
      if (typeof fn !== 'function') continue;
      const list = this.hooks.get(name) ?? [];
      list.push({ module, fn: (fn as Hook).bind(typeof own === 'function' ? undefined : holder) });
      this.hooks.set(name, list);
    }
  }
}

export type { WorkerContext };
