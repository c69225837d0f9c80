// Input path: signals from another local process, to every process of a service (master,
// workers, the orphan sentinel). SIGUSR1 never opens the V8 inspector (Node 20 opens
// 127.0.0.1:9229 for an unhandled one); SIGHUP and SIGUSR2 reload when sent to the master and
// are ignored by everything else; SIGPIPE is ignored; SIGSTOP/SIGCONT only delay. Each case:
// which pids survive, nothing listens where it should not, the service kept serving under a
// load that counts every request, and a WebSocket client stays connected throughout.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { describeCounts, startCountingLoad, type Counts } from '../helpers/counting-load.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive, killQuietly } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { isListening, listeningPortsOf } from '../helpers/sockets.js';
import { statusJson, workerPids, type ServiceStatus } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { pidsOf, startWs } from '../helpers/ws-service.js';
import { descendantPids } from '../../src/master/pid.ts';

const TIMEOUT = { timeout: 120_000 };
const INDEX = '/worker/HttpExamples/index';
const INSPECTOR_DEFAULT_PORT = 9229;

/**
 * Every process of the service: master, workers, and the master's other children (the orphan
 * sentinel). Not the workers' own children: running TypeScript sources, tsx keeps an esbuild
 * service process per worker, a Go binary that dies on SIGHUP like any program that does not
 * handle it; that is the application's toolchain, and a production worker runs compiled code.
 */
function allPids(status: ServiceStatus): { master: number; workers: number[]; others: number[] } {
  const workers = workerPids(status);
  const others = descendantPids(status.master.pid).filter((pid) => !workers.includes(pid) && parentOf(pid) === status.master.pid);
  for (const pid of others) commands.set(pid, cmdlineOf(pid));
  return { master: status.master.pid, workers, others };
}

/**
 * Sends `signal` to each pid, then waits for a status round trip: the master asks every worker
 * over IPC, so each has run its event loop (and its signal handlers) since. A signal whose
 * default action kills has killed by then.
 */
async function signalAndSettle(p: Project, service: string, pids: number[], signal: NodeJS.Signals): Promise<ServiceStatus> {
  for (const pid of pids) killQuietly(pid, signal);
  return statusJson(p, service);
}

function assertNoInspector(pids: number[], servicePort: number): void {
  assert.ok(!isListening(INSPECTOR_DEFAULT_PORT), `nothing listens on ${INSPECTOR_DEFAULT_PORT}`);
  for (const pid of pids) {
    const ports = listeningPortsOf(pid).filter((port) => port !== servicePort);
    assert.deepEqual(ports, [], `pid ${pid} listens on nothing but the service port`);
  }
}

function assertNothingLost(counts: Counts): void {
  assert.ok(counts.answered > 0, 'the load ran');
  assert.deepEqual(counts.failures, {}, describeCounts(counts));
  assert.equal(counts.answered, counts.sent, describeCounts(counts));
  assert.deepEqual(Object.keys(counts.statuses), ['200'], describeCounts(counts));
}

test('http: SIGUSR1, SIGPIPE, SIGHUP, SIGUSR2 to every process; only the master acts (a reload), nothing opens an inspector, nothing is lost', TIMEOUT, scenario(async (p) => {
  const port = await startHttpDaemon(p);
  let status = await statusJson(p, 'web');
  const { master, others } = allPids(status);
  assert.ok(others.length >= 1, 'the orphan sentinel runs under the master');
  const load = startCountingLoad(port, INDEX, { lanes: 2, answerTimeoutMs: 30_000 });
  let counts: Counts;
  try {
    await load.answered(20);
    for (const signal of ['SIGUSR1', 'SIGPIPE', 'SIGHUP', 'SIGUSR2'] as const) {
      const workers = workerPids(status);
      const generation = status.generation;
      // Workers and the sentinel first: they must ignore it.
      status = await signalAndSettle(p, 'web', [...workers, ...others], signal);
      for (const pid of [master, ...workers, ...others]) assert.ok(isAlive(pid), `pid ${pid} (${commands.get(pid) ?? 'master or worker'}) survived ${signal}`);
      assert.deepEqual(workerPids(status), workers, `${signal} to the workers changed no worker`);
      assertNoInspector([master, ...workers, ...others], port);
      // Then the master: a reload for SIGHUP and SIGUSR2, nothing for the others.
      killQuietly(master, signal);
      if (signal === 'SIGHUP' || signal === 'SIGUSR2') {
        status = await waitFor(`the reload ${signal} asked for`, async () => {
          const s = await statusJson(p, 'web');
          return s.generation === generation + 1 && s.state === 'running' ? s : null;
        });
        assert.equal(workerPids(status).filter((pid) => workers.includes(pid)).length, 0, `${signal} to the master replaced every worker`);
        await waitFor('the old workers to exit', () => workers.every((pid) => !isAlive(pid)));
      } else {
        status = await statusJson(p, 'web');
        assert.equal(status.generation, generation, `${signal} to the master is not a reload`);
        assert.deepEqual(workerPids(status), workers);
      }
      assert.equal(status.master.pid, master);
      assert.ok(others.every(isAlive), 'the sentinel survived');
      assertNoInspector([master, ...workerPids(status), ...others], port);
      await load.answered(10);
    }
  } finally {
    counts = await load.stop();
  }
  assertNothingLost(counts);
}));

test('http: SIGSTOP then SIGCONT to a worker and to the master only delays; every request is answered', TIMEOUT, scenario(async (p) => {
  const port = await startHttpDaemon(p);
  const status = await statusJson(p, 'web');
  const { master, workers } = allPids(status);
  const load = startCountingLoad(port, INDEX, { lanes: 2, answerTimeoutMs: 30_000 });
  let counts: Counts;
  try {
    await load.answered(20);
    for (const pid of [workers[0]!, master]) {
      killQuietly(pid, 'SIGSTOP');
      try {
        // A request sent now waits (in the master's accept queue, or on the stopped worker).
        const pending = request(port, INDEX, { timeoutMs: 30_000 });
        await waitFor(`pid ${pid} to be stopped`, () => /^T/.test(procState(pid)));
        killQuietly(pid, 'SIGCONT');
        assert.equal((await pending).status, 200, 'the request sent while it was stopped is answered');
      } finally {
        killQuietly(pid, 'SIGCONT');
      }
      await load.answered(20);
    }
  } finally {
    counts = await load.stop();
  }
  assertNothingLost(counts);
  const after = await statusJson(p, 'web');
  assert.equal(after.master.pid, master);
  assert.deepEqual(workerPids(after), workers, 'no worker was replaced');
}));

test('inspect: the inspector opens only where the config asks, on its own port; SIGUSR1 still opens none', TIMEOUT, scenario(async (p) => {
  const inspect = await freePort();
  const port = await startHttpDaemon(p, { count: 1, inspect });
  const status = await statusJson(p, 'web');
  const [worker] = workerPids(status);
  // Worker 1 alternates between inspect and inspect + 1 at each spawn; the first gets inspect + 0 or + 1.
  const ports = listeningPortsOf(worker!).filter((p) => p !== port);
  assert.equal(ports.length, 1, `worker ${worker} listens on one inspector port (${ports.join(', ')})`);
  assert.ok(ports[0] === inspect || ports[0] === inspect + 1, `on ${inspect} or ${inspect + 1}, not ${ports[0]}`);
  assert.deepEqual(listeningPortsOf(status.master.pid).filter((p) => p !== port), [], 'the master has no inspector');
  killQuietly(worker!, 'SIGUSR1');
  killQuietly(status.master.pid, 'SIGUSR1');
  await statusJson(p, 'web');
  assert.ok(!isListening(INSPECTOR_DEFAULT_PORT));
  assert.ok(isAlive(worker!) && isAlive(status.master.pid));
}, { allowLog: [/Debugger listening on ws:\/\/127\.0\.0\.1/, /For help, see: https:\/\/nodejs\.org\/en\/docs\/inspector/] }));

test('ws: every signal to every gateway, business worker and the master; gateways and their clients survive all of them', TIMEOUT, scenario(async (p) => {
  const ws = await startWs(p);
  let status = ws.status;
  const { master, others } = allPids(status);
  const gateways = pidsOf(status, 'gateway');
  const client = await TestClient.connect(ws.port);
  await client.whoami();
  for (const signal of ['SIGUSR1', 'SIGPIPE', 'SIGHUP', 'SIGUSR2'] as const) {
    const business = pidsOf(status, 'business');
    const generation = status.generation;
    status = await signalAndSettle(p, 'ws', [...gateways, ...business, ...others], signal);
    for (const pid of [master, ...gateways, ...business, ...others]) assert.ok(isAlive(pid), `pid ${pid} survived ${signal}`);
    assertNoInspector([master, ...gateways, ...business, ...others], ws.port);
    killQuietly(master, signal);
    if (signal === 'SIGHUP' || signal === 'SIGUSR2') {
      status = await waitFor(`the reload ${signal} asked for`, async () => {
        const s = await statusJson(p, 'ws');
        return s.generation === generation + 1 && s.state === 'running' ? s : null;
      });
      assert.equal(pidsOf(status, 'business').filter((pid) => business.includes(pid)).length, 0, 'business workers replaced');
    } else {
      status = await statusJson(p, 'ws');
      assert.equal(status.generation, generation);
    }
    assert.deepEqual(pidsOf(status, 'gateway'), gateways, 'the same gateways');
    assert.ok(client.open, `the client stayed connected through ${signal}`);
    assert.equal((await client.call('worker/WsTest/whoami')).type, 'whoami', 'and is served');
  }
  for (const pid of [gateways[0]!, pidsOf(status, 'business')[0]!, master]) {
    killQuietly(pid, 'SIGSTOP');
    const reply = client.call('worker/WsTest/whoami', {}, 30_000);
    await waitFor(`pid ${pid} to be stopped`, () => /^T/.test(procState(pid)));
    killQuietly(pid, 'SIGCONT');
    assert.equal((await reply).type, 'whoami', `a message sent while pid ${pid} was stopped is answered`);
  }
  assert.ok(client.open);
  assert.deepEqual(pidsOf(await statusJson(p, 'ws'), 'gateway'), gateways);
  await client.close();
}));

function parentOf(pid: number): number {
  const stat = procState(pid);
  return Number(stat.split(' ')[1]);
}

const commands = new Map<number, string>();
function cmdlineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 80);
  } catch {
    return '?';
  }
}

function procState(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2);
  } catch {
    return '';
  }
}
