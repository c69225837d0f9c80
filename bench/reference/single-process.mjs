#!/usr/bin/env node
// Reference: the bench's app in one plain process, no cluster. Started by the harness with an
// IPC channel: it sends { type: 'ready', pid } once listening and answers { type: 'stats' }
// with its counters. Env: BENCH_APP, BENCH_PORT[, BENCH_HOST].
import { readEnv, serveApp } from './serve.mjs';

const { appPath, host, port } = readEnv();
const { snapshot } = await serveApp({ appPath, host, port });
process.on('message', (m) => {
  if (m?.type === 'stats') process.send({ type: 'stats', seq: m.seq, primary: snapshot(), workers: [snapshot()] });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', pid: process.pid, workers: [process.pid] });
