// The live page in headless Chromium (Debian's `chromium`, driven by playwright-core) against
// a real master under a light load: it loads nothing from anywhere but the metrics listener,
// draws a line per worker in each chart, marks the reload, the scale and the crash it saw, and
// keeps refreshing. The run writes a screenshot to a temporary folder, or to
// docs/live-view.png (the README's) when UPDATE_SCREENSHOTS=1.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { runCli, show } from '../helpers/cli.js';
import { countingClient } from '../helpers/counting-client.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { PID_APP } from '../helpers/pid-app.js';
import { freePort } from '../helpers/ports.js';
import { DROVER_DIR } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const installed = fs.existsSync(CHROMIUM);

test('the live page charts every worker, marks reloads, scale and restarts, and refreshes, from the listener alone', {
  timeout: 120_000,
  skip: !installed && !process.env.CI ? `${CHROMIUM} is not installed (apt-get install chromium)` : false,
}, scenario(async (p, t) => {
  assert.ok(installed, `${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  const metricsPort = await freePort();
  p.writeFile('app/pid-app.mjs', PID_APP);
  const port = await startHttpDaemon(p, { app: 'app/pid-app.mjs', count: 2, metrics: { listen: `127.0.0.1:${metricsPort}` } });
  const load = countingClient(`http://127.0.0.1:${port}/`, { keepAlive: false, concurrency: 2, maxSeconds: 90 });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dv-chromium-'));
  t.after(() => fs.rmSync(profile, { recursive: true, force: true }));
  const origin = `http://127.0.0.1:${metricsPort}`;

  let browser: BrowserContext | null = null;
  try {
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 860 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
    const tab = browser.pages()[0] ?? (await browser.newPage());
    const requested: string[] = [];
    const pageErrors: string[] = [];
    tab.on('request', (r) => requested.push(r.url()));
    tab.on('pageerror', (e) => pageErrors.push(e.message));
    await tab.goto(`${origin}/`);
    const samples = async () => Number((await tab.locator('body').getAttribute('data-samples')) ?? 0);
    const series = async (id: string) => Number((await tab.locator(`#chart-${id}`).getAttribute('data-series')) ?? 0);

    await waitFor('two workers drawn in every chart', async () => (await series('rps')) === 2 && (await series('rss')) === 2 && (await series('elu')) === 2);
    const reloaded = await runCli(p, ['web', 'reload'], { timeoutMs: 60_000 });
    assert.equal(reloaded.code, 0, show(reloaded));
    const scaled = await runCli(p, ['web', 'scale', '+1'], { timeoutMs: 60_000 });
    assert.equal(scaled.code, 0, show(scaled));
    const victim = (await statusJson(p, 'web')).workers.find((w) => w.id === 2)!.pid!;
    process.kill(victim, 'SIGKILL');
    await waitFor('the reload, the scale and the exit listed', async () => {
      const text = await tab.locator('#events').innerText();
      return /reload to generation 2/.test(text) && /http: 2 → 3 workers/.test(text) && /worker 2 \(pid \d+\) exited \(SIGKILL\)/.test(text) && /worker 2 respawned/.test(text);
    }, { timeoutMs: 30_000 });
    await waitFor('three ready workers in the table and charts', async () =>
      (await tab.locator('#workers tr').count()) === 3 && (await series('rps')) === 3 && !/starting|waiting/.test(await tab.locator('#workers').innerText()));
    const before = await samples();
    await waitFor('the page refreshing', async () => (await samples()) >= before + 3);
    // Markers are drawn into the charts: dashed lines, one per event at least.
    assert.ok((await tab.locator('#chart-rps line[stroke-dasharray]').count()) >= 3);
    assert.equal(await tab.locator('#state').innerText(), 'running');

    const shotDir = process.env.UPDATE_SCREENSHOTS ? path.join(DROVER_DIR, 'docs') : fs.mkdtempSync(path.join(os.tmpdir(), 'dv-shot-'));
    const shot = path.join(shotDir, 'live-view.png');
    await tab.screenshot({ path: shot, fullPage: true });
    assert.ok(fs.statSync(shot).size > 20_000, `a real screenshot at ${shot}`);
    t.diagnostic(`screenshot: ${shot}`);

    assert.deepEqual(requested.filter((url) => !url.startsWith(`${origin}/`)), [], 'nothing fetched from elsewhere');
    assert.ok(requested.some((url) => url.startsWith(`${origin}/live.json`)));
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    // No assertion on failures: the SIGKILL above cuts whatever worker 2 had in flight.
    assert.ok((await load.stop()).ok > 0, 'the load ran');
  }
}, { allowLog: [/worker \d+ \(pid \d+\) exited unexpectedly \(SIGKILL\)/] }));
