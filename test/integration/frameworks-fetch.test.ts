// The framework matrix, fetch side: Hono and a bare { fetch } object, checked the same way as
// the request-listener frameworks (test/helpers/framework-apps.ts); then what only a fetch app
// has: backpressure both ways through drover's adapter, and an export drover cannot use.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { checkFramework } from '../helpers/framework-apps.js';
import { freePort } from '../helpers/ports.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';

for (const name of ['hono', 'fetch']) {
  test(`${name}: routes, JSON bodies, streamed upload and download, errors, a reload under load with 0 failures`, { timeout: 90_000 }, scenario((p) => checkFramework(p, name), { app: false, allowLog: [/\] GET \/\S+ failed: .*on purpose/, /on purpose/, /^\s+at /] }));
}

test('an app module whose export drover cannot serve is refused at boot with the kinds it accepts, and no stack', { timeout: 60_000 }, scenario(async (p) => {
  p.writeFile('apps/wrong.mjs', 'export default { handler() {} };\n');
  p.writeConfig('web', { listen: `http://127.0.0.1:${await freePort()}`, count: 1, app: 'apps/wrong.mjs' });
  const r = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, /exports an object with handler, which drover cannot serve/);
  assert.match(r.stderr, /Fastify instance, a NestJS application, an object with fetch\(request\) \(Hono\)/);
  assert.match(r.stderr, /code: DROVER_ERR_APP_EXPORT/);
  assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack for a user\'s export');
}, { app: false, allowLog: [/could not start: worker \d+ \(pid \d+\) failed to boot: the "app" module apps\/wrong\.mjs exports /] }));

/** A response that never ends and a request body read one chunk at a time; files show how far each got. */
const BACKPRESSURE_APP = `
import fs from 'node:fs';
export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/infinite') {
      let pulls = 0;
      return new Response(new ReadableStream({
        pull(controller) { pulls += 1; fs.writeFileSync('pulls', String(pulls)); controller.enqueue(new Uint8Array(64 * 1024)); },
        cancel() { fs.writeFileSync('cancelled', String(pulls)); },
      }, { highWaterMark: 1 }));
    }
    const reader = request.body.getReader();
    const first = await reader.read();
    fs.writeFileSync('read', String(first.value.length));
    // Stop reading until the test says go: the upload must stall meanwhile.
    while (!fs.existsSync('go')) await new Promise((resolve) => setTimeout(resolve, 20));
    let outcome = 'ended';
    try {
      while (!(await reader.read()).done);
    } catch (error) {
      outcome = 'failed';
    }
    fs.writeFileSync('upload-outcome', outcome + ' signal.aborted=' + request.signal.aborted);
    return new Response('never sent');
  },
};
`;

/** Polls `read` until it returns the same value `times` times in a row: the producer has stalled. */
async function settled(what: string, read: () => number, times = 6): Promise<number> {
  let last = -1;
  let same = 0;
  return waitFor(what, () => {
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
    return same >= times ? now : null;
  }, { intervalMs: 100, timeoutMs: 20_000 });
}

test('a fetch app streams with backpressure both ways: a client that stops reading stalls the producer, one that goes away cancels it', { timeout: 60_000 }, scenario(async (p) => {
  const port = await freePort();
  p.writeFile('apps/bp.mjs', BACKPRESSURE_APP);
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1, app: 'apps/bp.mjs' });
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));
  const MiB = 1024 * 1024;

  // Download: the client reads nothing, so the app's stream must stop being pulled.
  const reader = net.connect({ host: '127.0.0.1', port });
  reader.on('error', () => undefined);
  reader.pause();
  reader.write('GET /infinite HTTP/1.1\r\nHost: t\r\n\r\n');
  const stalledAt = await settled('the response stream to stall', () => Number(p.read('pulls') || 0));
  assert.ok(stalledAt > 0 && stalledAt * 64 * 1024 < 64 * MiB, `pulled ${stalledAt} chunks of 64 KiB for a client that read nothing`);
  reader.resume();
  await waitFor('pulls to go on once the client reads', () => Number(p.read('pulls')) > stalledAt + 16);
  reader.destroy();
  await waitFor('the stream to be cancelled when the client goes away', () => p.exists('cancelled'));

  // Upload: the app reads one chunk, so the client's writes must stop being accepted.
  const writer = net.connect({ host: '127.0.0.1', port });
  writer.on('error', () => undefined);
  await new Promise((resolve) => writer.once('connect', resolve));
  writer.write(`POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: ${1024 * MiB}\r\n\r\n`);
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 120);
  let writable = true;
  writer.on('drain', () => (writable = true));
  const stalledWrites = await settled('the upload to stall', () => {
    while (writable && written < 1024 * MiB) {
      written += chunk.length;
      writable = writer.write(chunk);
    }
    return written;
  });
  assert.ok(stalledWrites < 64 * MiB, `the client could push ${stalledWrites} bytes to an app that read one chunk`);
  assert.ok(Number(p.read('read')) > 0, 'the app read its first chunk');
  // A FIN queued behind unread body bytes is only seen when the app reads again (TCP has no
  // other way to tell): the app's next read fails and request.signal has aborted.
  writer.destroy();
  p.writeFile('go', '');
  await waitFor('the app to learn that the uploading client went away', () => p.read('upload-outcome'));
  assert.equal(p.read('upload-outcome'), 'failed signal.aborted=true');
  assert.doesNotMatch(p.read('logs/web.log'), /failed:|\bat .+:\d+:\d+/, 'nothing logged for clients that went away');
}, { app: false }));
