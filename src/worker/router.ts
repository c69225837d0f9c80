// Convention routing, shared by HTTP requests and (later) WebSocket messages:
// "module/Controller/action" → app/<module>/controller/<Controller>.(ts|js), method <action>.
//
// Only declared actions route: a method defined on the controller class itself (not inherited,
// not `constructor`), whose name is [A-Za-z][A-Za-z0-9_]* (so never `_private`, `__proto__`
// or `..`), in a controller file that was on disk when the worker booted.
import fs from 'node:fs';
import path from 'node:path';
import { importUserModule } from './user-module.js';

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const SOURCE = /\.(ts|mts|js|mjs|cjs)$/;

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
  /** Controller classes by "module/Controller", all loaded at once by preload(). */
  private controllers: Promise<Map<string, new () => object>> | null = null;

  /** `preferSources`: where both X.ts and a compiled X.js exist, debug mode runs the source. */
  constructor(
    private readonly root: string,
    private readonly preferSources = true,
    /** The file that runs for a source (its compiled counterpart in production). */
    private readonly toCode: (source: string) => string = (f) => f,
  ) {}

  /**
   * Loads every controller under app/<module>/controller/ now, at boot. A resident worker
   * must not read code from disk later: after a file changes, the old workers keep answering
   * with the code they booted with, and a broken file fails the new workers' boot (so a
   * reload rolls back) instead of failing requests.
   */
  preload(): Promise<Map<string, new () => object>> {
    this.controllers ??= loadControllers(this.root, this.preferSources, this.toCode);
    return this.controllers;
  }

  async resolve(pathInfo: string): Promise<Resolved> {
    const target = parseRoutePath(pathInfo);
    if ('error' in target) return { ok: false, status: 400, message: target.error };
    const Controller = (await this.preload()).get(`${target.module}/${target.controller}`);
    if (!Controller) return { ok: false, status: 404, message: `no controller ${target.module}/${target.controller}.` };
    const action = declaredAction(Controller, target.action);
    if (!action) return { ok: false, status: 404, message: `${target.controller} has no action "${target.action}".` };
    return {
      ok: true,
      target,
      invoke: (...args) => action.apply(new Controller(), args),
    };
  }
}

async function loadControllers(root: string, preferSources: boolean, toCode: (source: string) => string): Promise<Map<string, new () => object>> {
  const controllers = new Map<string, new () => object>();
  for (const module of listNames(path.join(root, 'app'), true)) {
    const dir = path.join(root, 'app', module, 'controller');
    const files = new Map<string, string>();
    for (const file of listNames(dir, false)) {
      const controller = path.basename(file, path.extname(file));
      if (!SOURCE.test(file) || !NAME.test(controller)) continue;
      const seen = files.get(controller);
      if (!seen || /\.m?ts$/.test(file) === preferSources) files.set(controller, file);
    }
    for (const [controller, file] of files) {
      const exports = await importUserModule(toCode(path.join(dir, file)), root);
      const candidate = exports[controller] ?? exports.default;
      if (typeof candidate === 'function' && candidate.prototype) controllers.set(`${module}/${controller}`, candidate as new () => object);
    }
  }
  return controllers;
}

/** Sorted entry names of a folder: sub-folders or files; none if it does not exist. */
function listNames(dir: string, directories: boolean): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => (directories ? d.isDirectory() : d.isFile()) && NAME.test(d.name.split('.')[0]!))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

function declaredAction(Controller: new () => object, name: string): Action | null {
  if (name === 'constructor' || !NAME.test(name)) return null;
  const descriptor = Object.getOwnPropertyDescriptor(Controller.prototype, name);
  return typeof descriptor?.value === 'function' ? (descriptor.value as Action) : null;
}
