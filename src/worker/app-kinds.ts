// Turns what the "app" module exports into a request listener, for each kind of app users
// bring as they bring it: a (req, res) function (Express, Koa's callback(), Nest's Express
// instance), a Koa app itself, a Fastify instance (drover waits for ready() and routes through
// fastify.routing, its documented entry for a server it does not own), a NestJS application
// (init(), then its adapter's instance), or any object with fetch(Request) (Hono, itty, …).
// A promise of one of these (an async factory's result) is awaited first. Fastify and Nest
// also get their close() once the worker has drained, so their onClose / onApplicationShutdown
// hooks run as they would after a listen().
import type { IncomingMessage, ServerResponse } from 'node:http';
import { droverError } from '../errors/index.js';
import { fetchListener, type FetchHandler } from './fetch-adapter.js';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface ServedApp {
  listener: RequestListener;
  /** The framework's own shutdown, run after the worker has drained; null when it has none. */
  close: (() => Promise<unknown>) | null;
}

export const ACCEPTED_KINDS =
  'a (req, res) request listener (Express, Koa\'s app.callback()), a Koa app, a Fastify instance, a NestJS application, an object with fetch(request) (Hono), or a promise of one of these';

type Candidate = Record<string, unknown> & { [key: string]: unknown };

const isFunction = (value: unknown): value is (...args: unknown[]) => unknown => typeof value === 'function';

export async function serveExport(exported: unknown, specifier: string): Promise<ServedApp> {
  const app = (await exported) as Candidate | null;
  if (app && typeof app === 'object') {
    if (isNestApp(app)) return nestApp(app, specifier);
    if (isFastify(app)) {
      await (app.ready as () => Promise<unknown>)();
      return { listener: app.routing as RequestListener, close: () => (app.close as () => Promise<unknown>).call(app) };
    }
    if (isFunction(app.callback) && isFunction(app.use) && !isFunction(app.fetch)) return { listener: (app.callback as () => RequestListener).call(app), close: null };
    if (isFunction(app.fetch)) {
      const target = app as unknown as { fetch: FetchHandler };
      return { listener: fetchListener((request) => target.fetch(request)), close: null };
    }
  }
  // Express apps (and every request listener) are functions; Fastify and Koa are not.
  if (isFunction(app)) return { listener: app as unknown as RequestListener, close: null };
  throw droverError('DROVER_ERR_APP_EXPORT', { specifier, exported: describe(app), accepted: ACCEPTED_KINDS }, {
    // Shown where a worker's boot failure is shown (instead of a stack: the user's export is the cause).
    details: `drover serves ${ACCEPTED_KINDS}.`,
  });
}

function isFastify(app: Candidate): boolean {
  return isFunction(app.ready) && isFunction(app.routing) && isFunction(app.route);
}

function isNestApp(app: Candidate): boolean {
  return isFunction(app.getHttpAdapter) && isFunction(app.init);
}

async function nestApp(app: Candidate, specifier: string): Promise<ServedApp> {
  await (app.init as () => Promise<unknown>)();
  const instance = (app.getHttpAdapter as () => { getInstance(): unknown }).call(app).getInstance();
  // Nest's close() closes its adapter's instance too: the inner Fastify's close is not called twice.
  const { listener } = await serveExport(instance, specifier);
  return { listener, close: () => (app.close as () => Promise<unknown>).call(app) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (no default export)';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const keys = Object.keys(value).slice(0, 5);
  return keys.length > 0 ? `an object with ${keys.join(', ')}` : 'an empty object';
}
