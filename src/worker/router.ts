// Convention routing, shared by HTTP requests and (later) WebSocket messages:
// "module/Controller/action" → app/<module>/controller/<Controller>.(ts|js), method <action>.
//
// Only declared actions route: a method defined on the controller class itself (not inherited,
// not `constructor`), whose name is [A-Za-z][A-Za-z0-9_]* (so never `_private`, `__proto__`
// or `..`), in a controller file that exists on disk.
import path from 'node:path';
import { findModuleFile, importUserModule } from './user-module.js';

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export interface RouteTarget {
  module: string;
  controller: string;
  action: string;
}

export type Action = (this: object, ...args: unknown[]) => unknown;

export type Resolved =
  | { ok: true; target: RouteTarget; invoke: (...args: unknown[]) => unknown }
  | { ok: false; status: 400 | 404; message: string };

/** Splits a path like "/worker/HttpExamples/index" (a missing action means "index"). */
export function parseRoutePath(pathInfo: string): RouteTarget | { error: string } {
  const parts = pathInfo.split('/').filter((p) => p.length > 0);
  if (parts.length === 2) parts.push('index');
  if (parts.length !== 3) return { error: `"${pathInfo}" is not a route: expected /module/Controller/action.` };
  const [module, controller, action] = parts as [string, string, string];
  for (const [what, name] of [['module', module], ['controller', controller], ['action', action]] as const) {
    if (!NAME.test(name)) return { error: `${what} name "${name}" is not allowed: names match [A-Za-z][A-Za-z0-9_]*.` };
  }
  return { module, controller, action };
}

export class Router {
  /** Controller classes by "module/Controller"; null when the file does not exist. */
  private readonly controllers = new Map<string, Promise<(new () => object) | null>>();

  constructor(private readonly root: string) {}

  async resolve(pathInfo: string): Promise<Resolved> {
    const target = parseRoutePath(pathInfo);
    if ('error' in target) return { ok: false, status: 400, message: target.error };
    const Controller = await this.loadController(target.module, target.controller);
    if (!Controller) return { ok: false, status: 404, message: `no controller ${target.module}/${target.controller}.` };
    const action = declaredAction(Controller, target.action);
    if (!action) return { ok: false, status: 404, message: `${target.controller} has no action "${target.action}".` };
    return {
      ok: true,
      target,
      invoke: (...args) => action.apply(new Controller(), args),
    };
  }

  private loadController(module: string, controller: string): Promise<(new () => object) | null> {
    const key = `${module}/${controller}`;
    let loading = this.controllers.get(key);
    if (!loading) {
      loading = this.importController(module, controller);
      this.controllers.set(key, loading);
      // A load error is not cached: the next request tries again and reports it again.
      loading.catch(() => this.controllers.delete(key));
    }
    return loading;
  }

  private async importController(module: string, controller: string): Promise<(new () => object) | null> {
    const file = findModuleFile(this.root, path.join('app', module, 'controller', controller));
    // Case matters even on case-insensitive file systems: /worker/httpexamples is not a route.
    if (!file || path.basename(file, path.extname(file)) !== controller) return null;
    const exports = await importUserModule(file, this.root);
    const candidate = exports[controller] ?? exports.default;
    return typeof candidate === 'function' && candidate.prototype ? (candidate as new () => object) : null;
  }
}

function declaredAction(Controller: new () => object, name: string): Action | null {
  if (name === 'constructor' || !NAME.test(name)) return null;
  const descriptor = Object.getOwnPropertyDescriptor(Controller.prototype, name);
  return typeof descriptor?.value === 'function' ? (descriptor.value as Action) : null;
}
