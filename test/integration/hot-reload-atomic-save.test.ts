// Hot reload in the foreground, as editors save: a plain write, then an atomic save (temp
// file renamed over the controller) together with a new controller and a non-code file. One
// reload per burst, the new code answers, and no request fails meanwhile.
// (hot-reload.test.ts covers 50-file bursts, broken edits and ignored paths.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { startForeground } from '../helpers/foreground.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';

const CONTROLLER = 'app/worker/controller/HttpExamples.ts';

test('foreground: plain and atomic saves reload once per burst; the new code answers; no request fails', { timeout: 90_000 }, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
  const master = await startForeground(p, 'web');
  await master.waitForOutput(/hot reload: watching/);
  const [, list] = await master.waitForOutput(/ running: \d+ workers \(([\d, ]+)\)/);
  const firstWorkers = list!.split(',').map((s) => Number(s.trim()));
  p.track(...firstWorkers);

  let failures = 0;
  const hello = async () => {
    const r = await request(port, '/worker/HttpExamples/hello?name=x');
    if (r.status !== 200) failures += 1;
    return r.body;
  };
  assert.equal(await hello(), '<h1>Hello, x!</h1>');

  // Burst 1: a plain save.
  const original = fs.readFileSync(p.file(CONTROLLER), 'utf8');
  p.writeFile(CONTROLLER, original.replace('<h1>Hello,', '<h1>Howdy,'));
  await waitFor('the new code to answer', async () => (await hello()) === '<h1>Howdy, x!</h1>');
  await master.waitForOutput(/reload done[^\n]*/);

  // Burst 2: an editor's atomic save (temp file, rename), a second controller, and a file
  // that is not code: one reload, naming the two .ts files only.
  p.writeFile('app/worker/readme.txt', 'not code');
  p.writeFile(`${CONTROLLER}.tmp`, original.replace('<h1>Hello,', '<h1>Hi,'));
  fs.renameSync(p.file(`${CONTROLLER}.tmp`), p.file(CONTROLLER));
  p.writeFile('app/worker/controller/Extra.ts', 'export default class Extra {\n  ping() {\n    return "pong";\n  }\n}\n');
  await waitFor('the second change to answer', async () => (await hello()) === '<h1>Hi, x!</h1>');
  await waitFor('the second reload to finish', () => (master.stdout.match(/reload done/g) ?? []).length >= 2);
  const extra = await request(port, '/worker/Extra/ping');
  assert.equal(extra.body, 'pong');

  const reloads = master.stdout.match(/changed: [^\n]* — reloading/g) ?? [];
  assert.equal(reloads.length, 2, `one reload per burst:\n${reloads.join('\n')}`);
  assert.match(reloads[1]!, /HttpExamples\.ts/);
  assert.match(reloads[1]!, /Extra\.ts/);
  assert.doesNotMatch(reloads[1]!, /readme\.txt|\.tmp/);
  assert.equal(failures, 0, 'no request failed during the reloads');
  for (const pid of firstWorkers) await waitFor(`the first workers (${pid}) to be gone`, () => !isAlive(pid));

  master.kill('SIGTERM');
  const exit = await master.waitForExit();
  assert.equal(exit.code, 0, master.output());
}));
