import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseRoutePath, Router } from '../../../src/worker/router.ts';

test('parseRoutePath takes module/Controller/action and defaults the action to index', () => {
  assert.deepEqual(parseRoutePath('/worker/HttpExamples/index'), { module: 'worker', controller: 'HttpExamples', action: 'index' });
  assert.deepEqual(parseRoutePath('/worker/HttpExamples'), { module: 'worker', controller: 'HttpExamples', action: 'index' });
  for (const bad of ['/', '/a/b/c/d', '/worker/HttpExamples/_secret', '/worker/HttpExamples/__proto__', '/worker/../x', '/worker/Http-Examples/a', '/worker/HttpExamples/%2e%2e']) {
    assert.ok('error' in parseRoutePath(bad), bad);
  }
});

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'drover-router-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
fs.mkdirSync(path.join(root, 'app/m/controller'), { recursive: true });
fs.writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
fs.writeFileSync(
  path.join(root, 'app/m/controller/Base.js'),
  'export default class Base { inherited() { return "base"; } }\n',
);
fs.writeFileSync(
  path.join(root, 'app/m/controller/Child.js'),
  'import Base from "./Base.js";\nexport default class Child extends Base { own() { return "own"; } get getter() { return 1; } _hidden() {} }\nChild.prototype.notMethod = 42;\n',
);

test('only methods declared on the controller class route', async () => {
  const router = new Router(root);
  const ok = await router.resolve('/m/Child/own');
  assert.ok(ok.ok);
  assert.equal(ok.ok && ok.invoke(), 'own');
  for (const [p, status] of [
    ['/m/Child/inherited', 404],
    ['/m/Child/constructor', 404],
    ['/m/Child/toString', 404],
    ['/m/Child/hasOwnProperty', 404],
    ['/m/Child/getter', 404],
    ['/m/Child/notMethod', 404],
    ['/m/Child/_hidden', 400],
    ['/m/Missing/own', 404],
    ['/m/child/own', 404],
  ] as const) {
    const r = await router.resolve(p);
    assert.ok(!r.ok, p);
    assert.equal(!r.ok && r.status, status, p);
  }
});
