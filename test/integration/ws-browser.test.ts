// The seed's browser snippet, as written (only the port differs: tests never use 2828), runs
// in headless Chromium (Debian's `chromium`, driven by playwright-core) against the service
// and logs the reply. .ci/run installs chromium.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';
import { startWs } from '../helpers/ws-service.js';

const CHROMIUM = '/usr/bin/chromium';

/** From ../shared/seed/000_4e2fbf6957d03359.txt, the README's WebSocket section, unchanged. */
const SEED_SNIPPET = `// 连接
var websocket = new WebSocket('ws://127.0.0.1:2828');
websocket.onopen = function() {
    console.log('连接成功了');

    // 定时发送心跳以保持连接 - 50秒间隔为推荐值
    setInterval(() => {
        websocket.send('ping')
    }, 50000);

    // 发送消息
    websocket.send('{"pathInfo":"worker/WebSocketExamples/message"}')
};
websocket.onclose = function(evt) {
    console.log('连接关闭中', evt);
};
websocket.onmessage = function(evt) {
    console.log('收到消息', evt);
};`;

const installed = fs.existsSync(CHROMIUM);

test('the seed\'s browser snippet connects, sends its message and logs the reply', {
  timeout: 120_000,
  // CI installs chromium (.ci/run); elsewhere, say why the test did not run.
  skip: !installed && !process.env.CI ? `${CHROMIUM} is not installed (apt-get install chromium)` : false,
}, scenario(async (p, t) => {
  assert.ok(installed, `${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  const { port } = await startWs(p);
  const page = `<!doctype html><meta charset="utf-8"><title>drover ws</title><script>\n${SEED_SNIPPET.replace("'ws://127.0.0.1:2828'", `'ws://127.0.0.1:${port}'`)}\n</script>`;
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dv-chromium-'));
  t.after(() => fs.rmSync(profile, { recursive: true, force: true }));

  let browser: BrowserContext | null = null;
  try {
    // A fresh profile each run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
    const tab = browser.pages()[0] ?? (await browser.newPage());
    const logged: Array<{ text: string; data: string | null }> = [];
    tab.on('console', async (message) => {
      const args = message.args();
      // console.log('收到消息', evt): the second argument is the MessageEvent; read its data.
      const data = args.length > 1 ? await args[1]!.evaluate((evt) => (evt as MessageEvent).data ?? null).catch(() => null) : null;
      logged.push({ text: message.text(), data: typeof data === 'string' ? data : null });
    });
    const { port: pagePort } = server.address() as { port: number };
    await tab.goto(`http://127.0.0.1:${pagePort}/`);

    const received = await waitFor('the reply logged by the snippet', () => logged.find((l) => l.text.startsWith('收到消息') && l.data !== null));
    assert.ok(logged.some((l) => l.text === '连接成功了'), `the snippet logged its connection: ${JSON.stringify(logged)}`);
    const reply = JSON.parse(received.data!) as { type: string; data: { clientId: string }; path: string; time: number };
    assert.equal(reply.type, 'message');
    assert.equal(reply.path, 'worker/WebSocketExamples/message');
    assert.match(reply.data.clientId, /^\d+-/);
    assert.ok(Number.isInteger(reply.time));
    assert.ok(!logged.some((l) => l.text.startsWith('连接关闭中')), 'the connection stays open');
  } finally {
    await browser?.close();
  }
}));
