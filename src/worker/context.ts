// What drover hands to user code: hooks get a WorkerContext, controller actions an ActionContext.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

export interface WorkerContext {
  service: string;
  /** The worker's slot, 1..count; stable across respawns and reloads. */
  workerId: number;
  role: string;
  pid: number;
  /** Increases by one with every reload of the service. */
  generation: number;
  /** True in foreground (debug) mode. */
  debug: boolean;
  root: string;
  /**
   * Where the application's files are found: the project root, or in production the build
   * folder when the project ships no sources (no app/ folder, only <build>/app).
   */
  codeRoot: string;
  /**
   * Production only: the build folder whose compiled files stand in for TypeScript sources
   * (app/x.ts runs as <build>/app/x.js). JavaScript sources always run as they are.
   */
  buildRoot: string | null;
}

export interface ActionContext {
  req: IncomingMessage;
  res: ServerResponse;
  module: string;
  controller: string;
  action: string;
  query: URLSearchParams;
  /** The request body, read once (limited to 1 MiB). */
  body(): Promise<Buffer>;
  /** The request body parsed as JSON; a 400 answer if it is not JSON. */
  json<T = unknown>(): Promise<T>;
  worker: WorkerContext;
}

export function workerContextFromEnv(env: NodeJS.ProcessEnv): WorkerContext {
  const root = env.DROVER_ROOT ?? process.cwd();
  const debug = env.DROVER_DEBUG === '1';
  const build = env.DROVER_BUILD_DIR ? path.resolve(root, env.DROVER_BUILD_DIR) : null;
  return {
    service: env.DROVER_SERVICE ?? 'unknown',
    workerId: Number(env.DROVER_WORKER_ID ?? 0),
    role: env.DROVER_ROLE ?? 'unknown',
    pid: process.pid,
    generation: Number(env.DROVER_GENERATION ?? 1),
    debug,
    root,
    codeRoot: !debug && build !== null && !fs.existsSync(path.join(root, 'app')) && fs.existsSync(path.join(build, 'app')) ? build : root,
    buildRoot: !debug && build !== null && fs.existsSync(build) ? build : null,
  };
}
