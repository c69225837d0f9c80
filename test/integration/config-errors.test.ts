// A bad config refuses to start: exit 1, a message naming the file, the key and the value
// received, code DROVER_ERR_CONFIG, and nothing started (no pidfile, no process).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { test } from 'node:test';
import { runCli, show, type CliResult } from '../helpers/cli.js';
import { startForeground } from '../helpers/foreground.js';
import { freePort } from '../helpers/ports.js';
import { pidsUnder } from '../helpers/processes.js';
import type { ConfigFormat, Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';

const TIMEOUT = { timeout: 60_000 };

function assertNothingStarted(p: Project, r: CliResult | string): void {
  const said = typeof r === 'string' ? r : show(r);
  assert.equal(fs.existsSync(p.service('web').pidfile), false, `no pidfile${said}`);
  assert.equal(fs.existsSync(p.service('web').socket), false, `no socket${said}`);
  assert.deepEqual(pidsUnder(p.root), [], `no process left${said}`);
}

interface BadConfig {
  name: string;
  config: object | string;
  format?: ConfigFormat;
  /** Each must appear in stderr. */
  says: Array<string | RegExp>;
}

const LISTEN = 'http://127.0.0.1:1';
const CASES: BadConfig[] = [
  { name: 'count 0', config: { listen: LISTEN, count: 0 }, says: ['config/worker_web.json', '"count"', '(received 0)', 'an integer >= 1 or "auto"'] },
  { name: 'count "many"', config: { listen: LISTEN, count: 'many' }, says: ['config/worker_web.json', '"count"', '(received "many")'] },
  { name: 'count 1.5', config: { listen: LISTEN, count: 1.5 }, format: 'js', says: ['config/worker_web.js', '"count"', '(received 1.5)'] },
  { name: 'unknown key "cout"', config: { listen: LISTEN, cout: 2 }, says: ['config/worker_web.json', 'unknown key "cout"', 'did you mean "count"?'] },
  {
    name: 'unknown nested key "backoff.intialMs"',
    config: { listen: LISTEN, backoff: { intialMs: 10 } },
    format: 'mjs',
    says: ['config/worker_web.mjs', 'unknown key "backoff.intialMs"', 'did you mean "backoff.initialMs"?'],
  },
  { name: 'listen "nope"', config: { listen: 'nope' }, says: ['config/worker_web.json', '"listen"', '(received "nope")'] },
  { name: 'listen without a port', config: { listen: 'http://127.0.0.1' }, says: ['"listen"', '(received "http://127.0.0.1")'] },
  { name: 'stopTimeout -1', config: { listen: LISTEN, stopTimeout: -1 }, says: ['config/worker_web.json', '"stopTimeout"', '(received -1)', 'an integer from 0 to 2147483647'] },
  { name: 'maxBootFailures 0', config: { listen: LISTEN, maxBootFailures: 0 }, says: ['"maxBootFailures"', '(received 0)'] },
  { name: 'env with a number', config: { listen: LISTEN, env: { A: 1 } }, says: ['"env.A"', '(received 1)'] },
  { name: 'a custom service without handler', config: { count: 1 }, says: ['config/worker_web.json', '"handler"'] },
  {
    name: 'a .js config with a syntax error',
    config: `export default { listen: '${LISTEN}', count: 2,, };\n`,
    format: 'js',
    says: ['config/worker_web.js:1:57: syntax error', /Unexpected token/],
  },
  { name: 'a .json config with a syntax error', config: '{ "listen": ', says: ['config/worker_web.json:1:12: is not valid JSON', 'Unexpected end of JSON input'] },
  { name: 'a config that exports an array', config: [1, 2], says: ['config/worker_web.json', 'must export an object', 'received an array of 2'] },
];

for (const c of CASES) {
  test(`bad config, ${c.name}: start -d exits 1 with DROVER_ERR_CONFIG`, TIMEOUT, scenario(async (p) => {
    p.writeConfig('web', c.config, c.format ?? 'json');
    const r = await runCli(p, ['web', 'start', '-d']);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^error: /, show(r));
    for (const s of c.says) {
      if (typeof s === 'string') assert.ok(r.stderr.includes(s), `stderr names ${s}${show(r)}`);
      else assert.match(r.stderr, s, show(r));
    }
    assert.match(r.stderr, /\n {2}code: DROVER_ERR_CONFIG\n/, show(r));
    assertNothingStarted(p, r);
  }, { app: false }));
}

test('bad config in the foreground: start exits 1 with DROVER_ERR_CONFIG, nothing started', TIMEOUT, scenario(async (p) => {
  p.writeConfig('web', { listen: LISTEN, count: 0 });
  const master = await startForeground(p, 'web', { waitForRunning: false });
  const exit = await master.waitForExit();
  assert.equal(exit.code, 1, master.output());
  assert.match(master.stderr, /config\/worker_web\.json: "count" must be an integer >= 1 or "auto" \(received 0\)/, master.output());
  assert.match(master.stderr, /code: DROVER_ERR_CONFIG\n/, master.output());
  assertNothingStarted(p, master.output());
}, { allowLog: [/^error: config\/worker_web\.json: "count" must be an integer >= 1 or "auto" \(received 0\)\.$/], app: false }));

test('missing config: DROVER_ERR_CONFIG_NOT_FOUND', TIMEOUT, scenario(async (p) => {
  p.writeConfig('other', { listen: LISTEN });
  for (const args of [['web', 'start', '-d'], ['web', 'start'], ['web', 'status']]) {
    const r = await runCli(p, args);
    assert.equal(r.code, args[1] === 'status' ? 3 : 1, show(r));
    if (args[1] === 'status') continue; // status only asks the socket: not running
    assert.match(r.stderr, /no config for service "web"/, show(r));
    assert.match(r.stderr, /code: DROVER_ERR_CONFIG_NOT_FOUND/, show(r));
  }
  assertNothingStarted(p, '');
}, { app: false }));

test('bad service names are refused with DROVER_ERR_UNKNOWN_SERVICE', TIMEOUT, scenario(async (p) => {
  p.writeConfig('web', { listen: LISTEN });
  for (const name of ['bad.name', '../web', 'process', 'web!', 'wéb']) {
    const r = await runCli(p, [name, 'start', '-d']);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /is not a valid service name/, show(r));
    assert.match(r.stderr, /code: DROVER_ERR_UNKNOWN_SERVICE/, show(r));
    assert.match(r.stderr, /configured here: web/, show(r));
  }
  assertNothingStarted(p, '');
}, { app: false }));

test('count "auto" starts one worker per CPU', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 'auto' }, 'cjs');
  const r = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(r.code, 0, show(r));
  const status = await statusJson(p, 'web');
  assert.equal(status.workers.length, os.availableParallelism());
  const stopped = await runCli(p, ['web', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
}));
