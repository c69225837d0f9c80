// The framework matrix, request-listener side: Express (the app), Koa (the app itself, not
// callback()), Fastify (the instance, not listening, not ready) and NestJS (the application
// from NestFactory.create, on its Express adapter), each exported as its users would, each
// checked the same way (test/helpers/framework-apps.ts).
import { test } from 'node:test';
import { checkFramework } from '../helpers/framework-apps.js';
import { scenario } from '../helpers/scenario.js';

for (const name of ['express', 'koa', 'fastify', 'nest']) {
  test(`${name}: routes, JSON bodies, streamed upload and download, errors, a reload under load with 0 failures`, { timeout: 90_000 }, scenario((p) => checkFramework(p, name), { app: false, allowLog: [/\] GET \/\S+ failed: .*on purpose/, /on purpose/, /^\s+at /] }));
}
