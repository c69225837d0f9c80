#!/usr/bin/env node
// Reference for "resident vs a fresh process per request": a new node process that boots
// exactly what a drover worker boots (drover's own worker entry, dist/worker/main.js: module
// hooks, the app or the convention router, TypeScript through tsx), answers one HTTP request
// on loopback and exits: serving a request when nothing stays resident (CGI-style, the seed's
// "PHP per request"). Only the process lifetime differs from the resident worker.
//
// Usage: node fresh-request.mjs <request path>
// Env: what a drover master passes to its workers (DROVER_CONFIG, DROVER_ROOT, ...), prepared
// by the harness from the service's own validated config, with a free port in `listen`.
// Prints "<status> <body>" of the one response on stdout; exit 0 on a 200.
import http from 'node:http';

const [requestPath] = process.argv.slice(2);
const config = JSON.parse(process.env.DROVER_CONFIG ?? 'null');
if (!requestPath || !config?.listen) {
  console.error('usage: DROVER_CONFIG=... node fresh-request.mjs <request path>');
  process.exit(2);
}
// Boots and listens (its top-level await returns once the server listens); without an IPC
// channel its "ready" message goes nowhere.
await import('../../dist/worker/main.js');
const { status, body } = await new Promise((resolve, reject) => {
  http
    .get({ host: config.listen.host, port: config.listen.port, path: requestPath, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    })
    .on('error', reject);
});
process.stdout.write(`${status} ${body}\n`);
process.exit(status === 200 ? 0 : 1);
