// Turns what the "app" module exports into a request listener, for each kind of app users
// bring as they bring it: a (req, res) function (Express, Koa's callback(), Nest's Express
// instance), a Koa app itself, a Fastify instance (drover waits for ready() and routes through
// fastify.routing, its documented entry for a server it does not own), a NestJS application
// (init(), then its adapter's instance), or any object with fetch(Request) (Hono, itty, …).
// A promise of one of these (an async factory's result) is awaited first.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DroverError } from '../errors.js';
import { fetchListener, type FetchHandler } from './fetch-adapter.js';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

export const ACCEPTED_KINDS =
  'a (req, res) request listener (Express, Koa\'s app.callback()), a Koa app, a Fastify instance, a NestJS application, an object with fetch(request) (Hono), or a promise of one of these';

type Candidate = Record<string, unknown> & { [key: string]: unknown };

const isFunction = (value: unknown): value is (...args: unknown[]) => unknown => typeof value === 'function';

export async function toRequestListener(exported: unknown, specifier: string): Promise<RequestListener> {
  const app = (await exported) as Candidate | null;
  if (app && typeof app === 'object') {
    if (isNestApp(app)) return nestListener(app, specifier);
    if (isFastify(app)) {
      await (app.ready as () => Promise<unknown>)();
      return app.routing as RequestListener;
    }
    if (isFunction(app.callback) && isFunction(app.use) && !isFunction(app.fetch)) return (app.callback as () => RequestListener).call(app);
    if (isFunction(app.fetch)) {
      const target = app as unknown as { fetch: FetchHandler };
      return fetchListener((request) => target.fetch(request));
    }
  }
  // Express apps (and every request listener) are functions; Fastify and Koa are not.
  if (isFunction(app)) return app as unknown as RequestListener;
  throw new DroverError('DROVER_ERR_APP_EXPORT', `the "app" module ${specifier} exports ${describe(app)}, which drover cannot serve.`, {
    hint: `export default ${ACCEPTED_KINDS}.`,
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

async function nestListener(app: Candidate, specifier: string): Promise<RequestListener> {
  await (app.init as () => Promise<unknown>)();
  const instance = (app.getHttpAdapter as () => { getInstance(): unknown }).call(app).getInstance();
  return toRequestListener(instance, specifier);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (no default export)';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const keys = Object.keys(value).slice(0, 5);
  return keys.length > 0 ? `an object with ${keys.join(', ')}` : 'an empty object';
}
