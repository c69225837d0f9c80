// Hostile HTTP input, sent raw over net.Socket to the three kinds of HTTP service (convention
// routing, a request-listener app, a fetch app; 2 workers each): request lines, request-targets,
// Host headers, huge and duplicate headers, broken chunked bodies, bodies over the limit and
// pipelined garbage. Each answer is a client error (or the app's own answer), no worker dies,
// every service keeps serving, and no stack trace reaches a log. Then the policy for errors
// the app did not catch: inside a request, 500 and keep serving; outside one, the worker is
// replaced gracefully (its sibling untouched, nothing refused meanwhile).
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import type { Project } from '../helpers/project.js';
import { sendRaw } from '../helpers/raw-http.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

const LISTENER_APP = `
export default function app(req, res) {
  if (req.url === '/throw') throw new Error('listener bug thrown on purpose');
  if (req.url === '/throw-later') setTimeout(() => { throw new Error('uncaught on purpose, outside a request'); }, 0);
  if (req.url === '/reject-later') Promise.reject(new Error('unhandled rejection on purpose'));
  res.setHeader('content-type', 'text/plain');
  res.end('listener:' + req.url + ':' + process.pid);
}
`;

/** /wait records in signals.log when it started and when request.signal aborted. */
const FETCH_APP = `
import fs from 'node:fs';
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/wait') {
      const id = url.searchParams.get('id');
      fs.appendFileSync('signals.log', 'started ' + id + '\\n');
      await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
      fs.appendFileSync('signals.log', 'aborted ' + id + ' ' + request.signal.reason?.name + '\\n');
      return new Response('too late');
    }
    if (url.pathname === '/throw') throw new Error('fetch bug thrown on purpose');
    return Response.json({ url: request.url, host: url.host, pid: process.pid });
  },
};
`;

const BODY_CONTROLLER = `
export default class Body {
  async size(ctx) { return { size: (await ctx.body()).length }; }
}
`;

type Kind = 'conv' | 'listener' | 'fetch';
const KINDS: Kind[] = ['conv', 'listener', 'fetch'];

/** Status lists the service may answer with (alternatives: what a parser error after a response looks like depends on timing). */
type Outcomes = number[][];

interface Case {
  name: string;
  bytes: string | Buffer;
  /** Per kind of service, or one list for all three. */
  expect: Record<Kind, Outcomes> | Outcomes;
}

const CLOSE = 'Connection: close\r\n';
/** One GET that asks the server to close after answering (so the exchange has an end). */
const get = (target: string, headers = 'Host: t\r\n', close = true) => `GET ${target} HTTP/1.1\r\n${headers}${close ? CLOSE : ''}\r\n`;
const each = (conv: number[], listener: number[], fetch: number[]): Record<Kind, Outcomes> => ({ conv: [conv], listener: [listener], fetch: [fetch] });
const badHost = (host: string): Case => ({ name: `Host: ${host}`, bytes: get('/', `Host: ${host}\r\n`), expect: [[400]] });
/** A body the app does not read: the listener and fetch apps may answer before the parser meets the broken part, or not. */
const unreadBody = (name: string, bytes: string): Case => ({ name, bytes, expect: { conv: [[400]], listener: [[400], [200], [200, 400]], fetch: [[400], [200], [200, 400]] } });

const CASES: Case[] = [
  { name: 'target //', bytes: get('//'), expect: each([404], [200], [200]) },
  { name: 'target ///', bytes: get('///'), expect: each([404], [200], [200]) },
  { name: 'target /\\', bytes: get('/\\'), expect: each([400], [200], [200]) },
  { name: 'target //[', bytes: get('//['), expect: each([400], [200], [200]) },
  { name: 'target //%', bytes: get('//%'), expect: each([400], [200], [200]) },
  { name: 'target //:99999', bytes: get('//:99999'), expect: each([404], [200], [200]) },
  { name: 'target /%zz', bytes: get('/%zz'), expect: each([400], [200], [200]) },
  { name: 'target /%00', bytes: get('/%00'), expect: each([404], [200], [200]) },
  { name: 'target /..%2f..%2fetc%2fpasswd', bytes: get('/..%2f..%2fetc%2fpasswd'), expect: each([404], [200], [200]) },
  { name: 'target /../../etc/passwd', bytes: get('/../../etc/passwd'), expect: each([404], [200], [200]) },
  { name: 'target *', bytes: `OPTIONS * HTTP/1.1\r\nHost: t\r\n${CLOSE}\r\n`, expect: each([400], [200], [400]) },
  // RFC 9112 §3.2.2: a server accepts the absolute form; its authority replaces Host.
  { name: 'absolute-form target', bytes: get('http://elsewhere.example/x'), expect: each([404], [200], [200]) },
  { name: 'absolute-form target with userinfo', bytes: get('http://a@b/x'), expect: each([400], [200], [400]) },
  { name: 'target /', bytes: get('/'), expect: each([404], [200], [200]) },
  { name: 'target /favicon.ico', bytes: get('/favicon.ico'), expect: each([404], [200], [200]) },
  badHost('a b'),
  badHost('x@y'),
  badHost('x/y'),
  badHost('[::1'),
  badHost('h:99999999'),
  badHost('h:port'),
  { name: 'two Host headers', bytes: get('/', 'Host: a\r\nHost: b\r\n'), expect: [[400]] },
  { name: 'no Host (HTTP/1.1)', bytes: `GET / HTTP/1.1\r\n${CLOSE}\r\n`, expect: [[400]] },
  { name: 'unknown HTTP version', bytes: `GET / HTTP/9.9\r\nHost: t\r\n${CLOSE}\r\n`, expect: [[400]] },
  { name: 'garbage request line', bytes: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n', expect: [[400]] },
  { name: 'space in the target', bytes: `GET /a b HTTP/1.1\r\nHost: t\r\n\r\n`, expect: [[400]] },
  { name: 'NUL in the target', bytes: 'GET /a\0b HTTP/1.1\r\nHost: t\r\n\r\n', expect: [[400]] },
  { name: 'header without a colon', bytes: 'GET / HTTP/1.1\r\nHost: t\r\nnonsense\r\n\r\n', expect: [[400]] },
  { name: 'a header over maxHeaderSize', bytes: get('/', `Host: t\r\nX-Big: ${'a'.repeat(20_000)}\r\n`), expect: [[431]] },
  { name: 'a target over maxHeaderSize', bytes: get(`/${'a'.repeat(20_000)}`), expect: [[431]] },
  { name: '5,000 small headers', bytes: get('/', `Host: t\r\n${'X-A: 1\r\n'.repeat(5000)}`), expect: [[431]] },
  { name: 'Content-Length and chunked', bytes: 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', expect: [[400]] },
  { name: 'two different Content-Length', bytes: 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', expect: [[400]] },
  { name: 'negative Content-Length', bytes: 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n', expect: [[400]] },
  unreadBody('chunk size not hex', 'POST /fault/Body/size HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'),
  unreadBody('chunk longer than announced', 'POST /fault/Body/size HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcdef\r\n0\r\n\r\n'),
  // Pipelined: the good requests are answered in order, the bad one gets its 400 and the connection ends.
  { name: 'pipelined: two good requests, then a bad Host', bytes: `${get('/fault/Body/size', undefined, false)}${get('/fault/Body/size', undefined, false)}${get('/', 'Host: x@y\r\n', false)}`, expect: [[200, 200, 400]] },
  { name: 'pipelined: a good request, then a bad target', bytes: `${get('/fault/Body/size', undefined, false)}${get('/a\\b', undefined, false)}${get('/')}`, expect: each([200, 400], [200, 200, 200], [200, 200, 200]) },
  // Garbage in the same packet as a good request fails the parse of the whole packet: Node answers 400 (and may have answered the good request first).
  { name: 'pipelined: a good request, then garbage', bytes: `${get('/fault/Body/size', undefined, false)}\x00\x01garbage\r\n\r\n`, expect: [[400], [200, 400], [200]] },
];

const OVER_LIMIT = { name: 'a body over 1 MiB to an action that reads it', bytes: `POST /fault/Body/size HTTP/1.1\r\nHost: t\r\n${CLOSE}Content-Length: ${1024 * 1024 + 1}\r\n\r\n${'x'.repeat(1024 * 1024 + 1)}` };

interface Service {
  kind: Kind;
  port: number;
  pids: number[];
}

async function startServices(p: Project): Promise<Service[]> {
  p.writeFile('app/fault/controller/Body.js', BODY_CONTROLLER);
  p.writeFile('apps/listener.mjs', LISTENER_APP);
  p.writeFile('apps/fetch.mjs', FETCH_APP);
  const apps: Record<Kind, string | undefined> = { conv: undefined, listener: 'apps/listener.mjs', fetch: 'apps/fetch.mjs' };
  const ports: Partial<Record<Kind, number>> = {};
  for (const kind of KINDS) {
    ports[kind] = await freePort();
    p.writeConfig(kind, { listen: `http://127.0.0.1:${ports[kind]}`, count: 2, app: apps[kind] });
  }
  const started = await runCli(p, ['all', 'start', '-d'], { timeoutMs: 60_000 });
  for (const kind of KINDS) p.track(p.pidOf(kind));
  assert.equal(started.code, 0, show(started));
  const services: Service[] = [];
  for (const kind of KINDS) services.push({ kind, port: ports[kind]!, pids: workerPids(await statusJson(p, kind)) });
  return services;
}

/** A stack frame line, as printed by Error.stack. */
const STACK = /^\s+at .+(\(|:\d+:\d+)/m;

function assertNoStack(p: Project, kind: Kind): void {
  const log = p.read(`logs/${kind}.log`);
  assert.doesNotMatch(log, STACK, `a stack trace in logs/${kind}.log:\n${log}`);
  assert.doesNotMatch(log, /failed:|uncaught|Error:/, `an error line in logs/${kind}.log:\n${log}`);
}

async function assertServing(service: Service): Promise<void> {
  const path = service.kind === 'conv' ? '/fault/Body/size' : '/ok';
  const r = await request(service.port, path);
  assert.equal(r.status, 200, `${service.kind} still serves: ${r.status} ${r.body}`);
}

test('hostile request lines, targets, Host headers, headers and bodies: 4xx, no worker lost, no stack logged', TIMEOUT, scenario(async (p) => {
  const services = await startServices(p);
  // Clients that go away in the middle of a body the app is reading: nothing failed, nothing logged.
  for (const service of services) {
    const socket = net.connect({ host: '127.0.0.1', port: service.port });
    socket.on('error', () => undefined);
    socket.write(`POST /fault/Body/size HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`);
    if (service.kind === 'conv') await waitFor('the upload to be in flight', async () => (await statusJson(p, 'conv')).workers.some((w) => w.inflight > 0));
    socket.destroy();
  }
  const wrong: string[] = [];
  for (const service of services) {
    for (const c of CASES) {
      const expected = Array.isArray(c.expect) ? c.expect : c.expect[service.kind];
      const got = await sendRaw(service.port, c.bytes);
      if (!expected.some((outcome) => JSON.stringify(outcome) === JSON.stringify(got.statuses))) {
        wrong.push(`${service.kind}: ${c.name} → ${JSON.stringify(got.statuses)}, expected ${JSON.stringify(expected)}: ${JSON.stringify(got.text.slice(0, 200))}`);
      }
    }
  }
  const conv = services.find((s) => s.kind === 'conv')!;
  const overLimit = await sendRaw(conv.port, OVER_LIMIT.bytes);
  if (overLimit.statuses[0] !== 413) wrong.push(`conv: ${OVER_LIMIT.name} → ${JSON.stringify(overLimit.statuses)}`);
  assert.deepEqual(wrong, [], `unexpected answers:\n${wrong.join('\n')}`);

  for (const service of services) {
    const status = await waitFor(`${service.kind}: nothing in flight`, async () => {
      const s = await statusJson(p, service.kind);
      return s.workers.every((w) => w.inflight === 0) ? s : null;
    });
    assert.deepEqual(workerPids(status), service.pids, `${service.kind}: the same workers serve`);
    assert.deepEqual(status.exits, [], `${service.kind}: no worker exited`);
    await assertServing(service);
    assertNoStack(p, service.kind);
  }
}));

test('a fetch app: request.signal aborts when the client goes away; a disconnect mid-wait logs nothing', TIMEOUT, scenario(async (p) => {
  const services = await startServices(p);
  const fetchApp = services.find((s) => s.kind === 'fetch')!;
  for (const id of ['a', 'b', 'c']) {
    const socket = net.connect({ host: '127.0.0.1', port: fetchApp.port });
    socket.on('error', () => undefined);
    socket.write(get(`/wait?id=${id}`, undefined, false));
    await waitFor(`the app to start request ${id}`, () => p.read('signals.log').includes(`started ${id}`));
    socket.destroy();
    await waitFor(`request.signal of ${id} to abort`, () => p.read('signals.log').includes(`aborted ${id} AbortError`));
  }
  const status = await statusJson(p, 'fetch');
  assert.deepEqual(workerPids(status), fetchApp.pids);
  await assertServing(fetchApp);
  assertNoStack(p, 'fetch');
}));

test('errors the app did not catch: in a request → 500 and the worker serves on; outside one → the worker is replaced gracefully, once, its sibling untouched', TIMEOUT, scenario(async (p) => {
  const services = await startServices(p);
  for (const kind of ['listener', 'fetch'] as const) {
    const service = services.find((s) => s.kind === kind)!;
    for (let i = 0; i < 4; i++) {
      const r = await request(service.port, '/throw');
      assert.equal(r.status, 500, `${kind} /throw: ${r.body}`);
    }
    const status = await statusJson(p, kind);
    assert.deepEqual(workerPids(status), service.pids, `${kind}: a throw inside a request kills no worker`);
    const log = p.read(`logs/${kind}.log`);
    assert.equal(log.match(/GET \/throw failed: Error: \w+ bug thrown on purpose/g)?.length, 4, `one line per failed request:\n${log}`);
  }

  const listener = services.find((s) => s.kind === 'listener')!;
  for (const [path, what] of [['/throw-later', 'uncaught exception'], ['/reject-later', 'unhandled rejection']] as const) {
    const before = workerPids(await statusJson(p, 'listener'));
    const r = await request(listener.port, path);
    assert.equal(r.status, 200, r.body);
    const culprit = Number(r.body.split(':').pop());
    const sibling = before.find((pid) => pid !== culprit)!;
    const after = await waitFor(`worker ${culprit} to be replaced after an ${what}`, async () => {
      const pids = workerPids(await statusJson(p, 'listener'));
      return pids.length === 2 && !pids.includes(culprit) ? pids : null;
    });
    assert.ok(after.includes(sibling), `the sibling ${sibling} was left alone: ${after.join(', ')}`);
    const status = await statusJson(p, 'listener');
    assert.equal(status.state, 'running');
    assert.deepEqual(status.exits.filter((e) => e.code !== 0), [], 'the culprit exited after draining, not by crashing');
    const log = p.read('logs/listener.log');
    assert.equal(log.match(new RegExp(`pid ${culprit}\\] ${what}, this worker will be replaced`, 'g'))?.length, 1, log);
    await assertServing(listener);
  }
}, { allowLog: [/on purpose/, /^\s+at /, /\] (uncaught exception|unhandled rejection), this worker will be replaced/] }));
