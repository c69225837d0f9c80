#!/usr/bin/env node
// Reference: a hand-written node:cluster primary with the bench's app and the same worker
// count as drover: the limit a supervisor on node:cluster is measured against.
//
// Env: BENCH_APP, BENCH_PORT, BENCH_WORKERS (default 2), BENCH_HOST (default 127.0.0.1), and
// node's own NODE_CLUSTER_SCHED_POLICY ("rr" or "none"), read by node:cluster at import.
//
// The harness talks to the primary over the IPC channel it was started with:
//   → { type: 'stats', seq }   ← { type: 'stats', seq, primary, workers: [{ pid, requests, accepted, connections, rss }] }
//   → { type: 'reload', seq }  ← { type: 'reloaded', seq, ms, replaced: [{ oldPid, newPid }] }
// The reload is the naive rolling one a hand-written primary usually has: fork a replacement,
// wait until it listens, then worker.disconnect() the old one (server.close(), then exit).
import cluster from 'node:cluster';
import { readEnv, serveApp } from './serve.mjs';

const { appPath, host, port, workers: count } = readEnv();

if (cluster.isPrimary) {
  runPrimary();
} else {
  const { snapshot } = await serveApp({ appPath, host, port });
  process.on('message', (m) => {
    if (m?.type === 'bench-stats') process.send({ type: 'bench-stats', seq: m.seq, stats: snapshot() });
  });
}

function runPrimary() {
  let current = [];
  let seq = 0;

  const fork = () =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork();
      const onExit = (code, signal) => reject(new Error(`worker ${worker.process.pid} exited before listening (${signal ?? code})`));
      worker.once('exit', onExit);
      worker.once('listening', () => {
        worker.off('exit', onExit);
        resolve(worker);
      });
    });

  const ask = (worker) =>
    new Promise((resolve) => {
      const id = ++seq;
      const timer = setTimeout(() => (worker.off('message', onMessage), resolve(null)), 1000);
      const onMessage = (m) => {
        if (m?.type !== 'bench-stats' || m.seq !== id) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(m.stats);
      };
      worker.on('message', onMessage);
      worker.send({ type: 'bench-stats', seq: id });
    });

  const reload = async () => {
    const startedAt = performance.now();
    const replaced = [];
    const exited = [];
    for (let i = 0; i < current.length; i++) {
      const old = current[i];
      const fresh = await fork();
      current[i] = fresh;
      exited.push(new Promise((resolve) => (old.isDead() ? resolve() : old.once('exit', resolve))));
      old.disconnect();
      replaced.push({ oldPid: old.process.pid, newPid: fresh.process.pid });
    }
    await Promise.all(exited);
    return { ms: performance.now() - startedAt, replaced };
  };

  // Workers leave through disconnect (they exit normally, so e.g. --cpu-prof gets written);
  // one still there after a second is killed.
  const shutdown = () => {
    const workers = Object.values(cluster.workers);
    if (workers.length === 0) process.exit(0);
    let left = workers.length;
    for (const w of workers) {
      w.once('exit', () => --left === 0 && process.exit(0));
      w.disconnect();
    }
    setTimeout(() => {
      for (const w of Object.values(cluster.workers)) w.process.kill('SIGKILL');
      process.exit(0);
    }, 1000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('disconnect', shutdown);

  process.on('message', async (m) => {
    if (m?.type === 'stats') {
      const workers = await Promise.all(current.map(ask));
      process.send({ type: 'stats', seq: m.seq, primary: { pid: process.pid, rss: process.memoryUsage.rss() }, workers });
    } else if (m?.type === 'reload') {
      const result = await reload();
      process.send({ type: 'reloaded', seq: m.seq, ...result, workers: current.map((w) => w.process.pid) });
    }
  });

  Promise.all(Array.from({ length: count }, fork)).then(
    (workers) => {
      current = workers;
      const policy = cluster.schedulingPolicy === cluster.SCHED_NONE ? 'none' : 'rr';
      process.send({ type: 'ready', pid: process.pid, workers: current.map((w) => w.process.pid), schedulingPolicy: policy });
    },
    (error) => {
      console.error(error.message);
      shutdown();
    },
  );
}
