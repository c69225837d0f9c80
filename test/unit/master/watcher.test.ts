// The watcher on a real folder (chokidar): a master too busy to read events when the debounce
// timer runs out (as when it forks a burst's standbys) still gets one burst, not two.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { HotReloadConfig } from '../../../src/config/process-config.js';
import { FileWatcher, type Burst } from '../../../src/master/watcher.js';

const DEBOUNCE_MS = 150;

test('a burst whose later events wait behind a busy event loop stays one burst', { timeout: 30_000 }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'drover-watch-'));
  fs.mkdirSync(path.join(root, 'app'));
  const config: HotReloadConfig = { enabled: true, inDaemon: false, paths: ['app'], extensions: ['.ts'], ignore: [], debounceMs: DEBOUNCE_MS } as HotReloadConfig;
  const bursts: Burst[] = [];
  const starts: string[] = [];
  const waiting: Array<() => void> = [];
  const nextBurst = (count: number) => new Promise<void>((resolve) => waiting.push(() => bursts.length >= count && resolve()));
  const watcher = await FileWatcher.start(root, config, {
    burstStart: (file) => {
      starts.push(file);
      if (starts.length > 1) return;
      // As the master's command loop forks standbys: just after this callback (a microtask),
      // for longer than the debounce. The second file is written meanwhile, so its event can
      // only be read after the debounce timer has run out.
      queueMicrotask(() => {
        fs.writeFileSync(path.join(root, 'app', 'b.ts'), 'export const b = 1;\n');
        const until = performance.now() + DEBOUNCE_MS * 3;
        while (performance.now() < until);
      });
    },
    burst: (b) => {
      bursts.push(b);
      for (const w of waiting) w();
    },
    error: (e) => assert.fail(e),
  });
  t.after(async () => {
    await watcher.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
  fs.writeFileSync(path.join(root, 'app', 'a.ts'), 'export const a = 1;\n');
  await nextBurst(1);
  // A marker after the first burst: had b.ts been split off, it would still be pending and
  // arrive with the marker (or before it).
  fs.writeFileSync(path.join(root, 'app', 'c.ts'), 'export const c = 1;\n');
  await nextBurst(2);
  assert.deepEqual([...bursts[0]!.files].sort(), [path.join('app', 'a.ts'), path.join('app', 'b.ts')], JSON.stringify(bursts));
  assert.deepEqual(bursts[1]!.files, [path.join('app', 'c.ts')], JSON.stringify(bursts));
  assert.deepEqual(starts, [path.join('app', 'a.ts'), path.join('app', 'c.ts')], 'one start per burst');
});
