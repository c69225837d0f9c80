// Scenario 6: drover's WebSocket service (2 gateways, 2 business workers, the example app's
// WebSocketExamples controller) against one plain `ws` process (reference/ws-server.mjs), in
// the same run. The clients live in client processes of their own (lib/ws-load.mjs), each
// connection from a loopback source address of its own block, so that neither the harness's
// file descriptors nor the ephemeral port range limit the count.
//
// 1. Idle memory and broadcast, in interleaved rounds; every round starts both servers afresh
//    (memory only grows back to what a process once had, so a second fill of the same process
//    would measure less), warms each with a few hundred connections that are closed again,
//    and then, for each server:
//    - idle RSS per connection: the RSS of drover's gateways (`status --json`, summed) or of
//      the `ws` process (VmRSS) before and after `wsClients` idle clients connected, ÷ clients;
//    - a 100-byte broadcast to every client: drover's through `gateway.sendToAll(data)` from a
//      script in the project (reference/ws-push.mjs; `import { gateway } from 'drover'`), the
//      reference's as a loop over its clients. The time is from right before the call (in the
//      pushing process) to the last client's arrival (in the client processes), both on
//      CLOCK_MONOTONIC. One untimed broadcast first, then `wsBroadcasts` timed ones; the
//      round's figure is their median. Beside it, the CPU per recipient (/proc) of the
//      processes holding the clients over the timed broadcasts, less what they use idle over
//      as long a window (no target; robust on a busy box).
// 2. Message round trip: `wsRoundTripClients` clients, each in a closed loop (send, wait for
//    the answer, repeat) for `wsRoundTripS` seconds: drover's gateway → business → gateway
//    (answered by the controller in the reply envelope) against the reference's echo.
// 3. `drover ws reload` under message traffic (the round-trip clients) with `wsReloadIdleClients`
//    idle clients connected as well: closes that no client asked for (target 0), messages
//    that failed (an error reply or no answer), the reload's wall time, p99 during the reload
//    against before it, and which business workers answered after `reload` returned.
//
// The service's heartbeat is set to 10 minutes both ways (interval and timeout): with the
// default 120 s timeout, idle clients that only answer protocol pings would be closed during
// a long run, and a ping to every client every 50 s would land inside some broadcasts. The
// reference has no heartbeat at all; the gateways' once-a-second sweep still runs.
import { absolute, fmt, range, ratio, targetText } from '../lib/report.mjs';
import { sleep } from '../lib/procs.mjs';
import { freePort, makeWsProject } from '../lib/project.mjs';
import { median, percentile, summarize } from '../lib/stats.mjs';
import { DroverPushScript, DroverService, WsReference, procRss } from '../lib/targets.mjs';
import { openFileLimit, WsFleet } from '../lib/ws-load.mjs';

export const id = 'websocket';
export const title = 'WebSocket: gateway memory, broadcast, round trip, reload (drover vs one `ws` process)';

const TARGETS = ['drover-ws', 'ws-single'];
const LABELS = { 'drover-ws': 'drover ws, 2 gateways + 2 business', 'ws-single': 'one `ws` process' };
const KiB = 1024;
const HEARTBEAT_MS = 600_000;
const BROADCAST_BYTES = 100;
/** Connections each client process holds at most (its own fds; see ws-load.mjs). */
const PER_PROCESS = 5000;
const FD_HEADROOM = 256;

export async function run(ctx) {
  const s = ctx.settings;
  const fdLimit = openFileLimit();
  const perProcess = Math.min(PER_PROCESS, Number.isFinite(fdLimit) && fdLimit ? fdLimit - FD_HEADROOM : PER_PROCESS);
  // The reference holds every client in one process, under the same limit.
  let clients = s.wsClients;
  const notes = [];
  if (fdLimit && clients > fdLimit - FD_HEADROOM) {
    clients = fdLimit - FD_HEADROOM;
    notes.push(`clients capped at ${clients} by ulimit -n ${fdLimit}`);
    ctx.log(`  ${notes.at(-1)}`);
  }
  const ports = { 'drover-ws': await freePort(), 'ws-single': await freePort() };
  const project = makeWsProject(ctx.tempDir, { port: ports['drover-ws'], extra: { heartbeat: { interval: HEARTBEAT_MS, timeout: HEARTBEAT_MS } } });
  const url = (name) => `ws://127.0.0.1:${ports[name]}/`;
  const fleet = new WsFleet({ registry: ctx.registry, processes: Math.max(1, Math.ceil(clients / perProcess)), perProcess });
  const live = new Set(); // servers and scripts to stop in the finally, whatever happened
  const servers = {
    'drover-ws': () => new DroverService({ name: 'drover-ws', root: project.root, service: 'ws', port: ports['drover-ws'], registry: ctx.registry }),
    'ws-single': () => new WsReference({ name: 'ws-single', port: ports['ws-single'], registry: ctx.registry }),
  };
  /** `which`: a target's name, or a function that makes the server (the ws-pair references). */
  const startServer = async (which) => {
    const server = typeof which === 'function' ? which() : servers[which]();
    live.add(server);
    const startedAt = performance.now();
    await server.start();
    server.startMs = performance.now() - startedAt;
    return server;
  };
  const stopServer = async (server) => {
    await server.stop();
    live.delete(server);
  };

  try {
    await fleet.start();
    ctx.log(`  ${clients} clients from ${fleet.processes.length} client process(es) (ulimit -n ${fdLimit ?? '?'})`);

    // 1. idle memory and broadcast, fresh servers every round
    const fills = Object.fromEntries([...TARGETS, 'pair'].map((t) => [t, []]));
    for (let round = 0; round < s.wsRounds; round++) {
      const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
      for (const name of order) {
        const server = await startServer(name);
        let pusher = null;
        try {
          if (name === 'drover-ws') {
            pusher = new DroverPushScript({ script: project.pushScript, root: project.root, registry: ctx.registry });
            live.add(pusher);
            await pusher.start();
          }
          const f = await fillAndBroadcast(ctx, { name, server, pusher, fleet, url: url(name), clients, round });
          fills[name].push(f);
          ctx.log(`  round ${round + 1}/${s.wsRounds} ${name}: ${fmt(f.kibPerConnection)} KiB per idle connection, broadcast to ${f.opened} in ${fmt(f.broadcastMs)} ms (${f.broadcasts.map((b) => fmt(b.lastMs, 0)).join(', ')}), open took ${fmt(f.openMs, 0)} ms`);
        } finally {
          if (pusher) {
            await pusher.stop();
            live.delete(pusher);
          }
          await stopServer(server);
        }
      }
      const pair = await fillPair(ctx, { fleet, clients, startServer, stopServer });
      fills.pair.push(pair);
      ctx.log(`  round ${round + 1}/${s.wsRounds} ws-pair: ${fmt(pair.kibPerConnection)} KiB per idle connection (2 processes, ${pair.opened} clients)`);
    }

    // 2. round trip, and 3. reload under traffic, on one server of each kind
    const drover = await startServer('drover-ws');
    const single = await startServer('ws-single');
    await sleep(s.settleMs);
    const trips = Object.fromEntries(TARGETS.map((t) => [t, []]));
    const traffic = (name, durationMs) =>
      fleet.traffic(url(name), { clients: s.wsRoundTripClients, durationMs, mode: name === 'drover-ws' ? 'envelope' : 'echo' });
    for (const name of TARGETS) await traffic(name, Math.min(1000, s.wsRoundTripS * 1000)); // warm-up: JIT, the controller loaded
    for (let round = 0; round < s.wsRounds; round++) {
      const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
      for (const name of order) {
        const t = summarizeTraffic(await traffic(name, s.wsRoundTripS * 1000));
        trips[name].push(t);
        ctx.log(`  round trip round ${round + 1}/${s.wsRounds} ${name}: ${fmt(t.rate, 0)} msg/s, p50 ${fmt(t.p50, 3)} ms, p99 ${fmt(t.p99, 3)} ms, failed ${t.failed}`);
      }
    }
    await stopServer(single);

    const reloads = [];
    for (let round = 0; round < s.wsReloadRounds; round++) {
      const r = await reloadUnderTraffic(ctx, { drover, fleet, url: url('drover-ws') });
      reloads.push(r);
      ctx.log(`  reload ${round + 1}/${s.wsReloadRounds}: ${fmt(r.wallMs, 0)} ms, ${r.droppedClients} clients dropped of ${r.idleClients + s.wsRoundTripClients}, ${r.failedMessages} messages failed of ${r.messages}, p99 ${fmt(r.p99Steady, 2)} → ${fmt(r.p99During, 2)} ms, old workers' last answer ${fmt(r.oldLastAnswerMs, 0)} ms after it returned`);
    }
    await stopServer(drover);
    return summarizeRuns({ fills, trips, reloads, clients, notes, fdLimit, fleetProcesses: fleet.processes.length, settings: s });
  } finally {
    for (const thing of [...live].reverse()) {
      try {
        await thing.stop();
      } catch (error) {
        ctx.log(`  stopping ${thing.name ?? 'push script'}: ${error.message}`);
      }
    }
    await fleet.stop();
  }
}

/** Memory before and after `clients` idle connections, then the broadcasts, on a fresh server. */
async function fillAndBroadcast(ctx, { name, server, pusher, fleet, url, clients, round }) {
  const s = ctx.settings;
  // Warm-up: the code paths of an upgrade, a message and a close run once before "before".
  const warm = await fleet.open(url, Math.min(200, clients));
  await fleet.closeIdle();
  if (warm.failed > 0) throw new Error(`${name}: ${warm.failed} of the warm-up connections failed: ${JSON.stringify(warm.errors)}`);
  await sleep(s.wsSettleMs);
  const before = await memoryOf(server);
  const opened = await fleet.open(url, clients);
  if (opened.opened === 0) throw new Error(`${name}: no client could connect: ${JSON.stringify(opened.errors)}`);
  await sleep(s.wsSettleMs);
  const after = await memoryOf(server);
  const seen = pusher ? await pusher.clientCount() : after.clients;
  if (seen !== opened.opened) throw new Error(`${name}: ${opened.opened} clients connected but the server counts ${seen}`);

  const broadcasts = [];
  // CPU of the processes that hold the clients (drover's gateways, the ws process) over the
  // timed broadcasts, from /proc: on a shared machine the wall time swings, CPU-seconds less.
  const serverCpu = () => after.gateways.reduce((sum, g) => sum + (ctx.cpuSeconds(g.pid) ?? Number.NaN), 0);
  let cpuBefore = Number.NaN;
  let windowFrom = 0;
  for (let b = 0; b <= s.wsBroadcasts; b++) {
    if (b === 1) {
      cpuBefore = serverCpu();
      windowFrom = performance.now();
    }
    const marker = `broadcast ${round}.${b} `;
    const data = marker.padEnd(BROADCAST_BYTES, '.');
    const expected = await fleet.expect(marker);
    const sent = pusher ? await pusher.sendToAll(data) : await server.broadcast(data);
    const got = await fleet.awaitBroadcast(30_000);
    if (got.received < expected) throw new Error(`${name}: broadcast ${b}: ${got.received} of ${expected} clients got it within 30 s (sent to ${sent.sent})`);
    // The first one is untimed: it warms the push path.
    if (b > 0) broadcasts.push({ lastMs: got.lastMs - sent.t0Ms, firstMs: got.firstMs - sent.t0Ms, callMs: sent.t1Ms - sent.t0Ms, sent: sent.sent, received: got.received });
    await sleep(200);
  }
  const cpuBroadcasts = serverCpu() - cpuBefore;
  // What the same processes use idle over a window as long (heartbeat sweep, stats to the
  // master): subtracted, or it would count per recipient (a few µs in a quick run).
  const idleFrom = serverCpu();
  await sleep(performance.now() - windowFrom);
  const cpuIdle = serverCpu() - idleFrom;
  const cpuUsPerRecipient = (Math.max(0, cpuBroadcasts - cpuIdle) * 1e6) / (broadcasts.length * opened.opened);
  const fleetStats = await fleet.stats();
  const closed = await fleet.closeIdle();
  const gatewayRss = (m) => m.gateways.reduce((a, g) => a + g.rss, 0);
  return {
    opened: opened.opened,
    failedToOpen: opened.failed,
    openErrors: opened.errors,
    openMs: opened.ms,
    startMs: server.startMs,
    before,
    after,
    kibPerConnection: (gatewayRss(after) - gatewayRss(before)) / opened.opened / KiB,
    kibPerConnectionProc: after.gateways.every((g) => g.procRss) ? (after.gateways.reduce((a, g) => a + g.procRss, 0) - before.gateways.reduce((a, g) => a + g.procRss, 0)) / opened.opened / KiB : null,
    heapKibPerConnection: (after.heapUsed - before.heapUsed) / opened.opened / KiB,
    connectionsPerGateway: after.gateways.map((g) => g.connections),
    businessRssDeltaMiB: after.business.map((b, i) => (b.rss - (before.business[i]?.rss ?? b.rss)) / 2 ** 20),
    broadcasts,
    broadcastMs: median(broadcasts.map((b) => b.lastMs)),
    broadcastCallMs: median(broadcasts.map((b) => b.callMs)),
    cpuUsPerRecipient,
    unexpectedCloses: fleetStats.unexpectedCloses,
    closeMs: closed.ms,
  };
}

/** RSS and heap of what holds the connections: drover's gateways (status --json) or the `ws` process. */
async function memoryOf(server) {
  if (server instanceof WsReference) {
    const st = await server.stats();
    return { gateways: [{ pid: st.pid, rss: st.rss, procRss: st.rss, heapUsed: st.heapUsed, connections: st.clients }], business: [], heapUsed: st.heapUsed, clients: st.clients };
  }
  const status = await server.status();
  const rows = status.workers.filter((w) => w.state === 'ready' && w.pid);
  const gateways = rows.filter((w) => w.role === 'gateway').map((w) => ({ pid: w.pid, rss: w.rss, procRss: procRss(w.pid), heapUsed: w.heapUsed, connections: w.connections }));
  const business = rows.filter((w) => w.role === 'business').map((w) => ({ pid: w.pid, rss: w.rss, heapUsed: w.heapUsed }));
  return { gateways, business, heapUsed: gateways.reduce((a, g) => a + g.heapUsed, 0), clients: gateways.reduce((a, g) => a + g.connections, 0) };
}

function summarizeTraffic(t, from = 0, to = Number.POSITIVE_INFINITY) {
  const lat = [];
  let failed = 0;
  for (let i = 0; i < t.record.end.length; i++) {
    const end = t.record.end[i];
    if (end < from || end >= to) continue;
    if (t.record.ok[i] === 1) lat.push(t.record.latency[i]);
    else failed += 1;
  }
  const seconds = (Math.min(to, t.elapsedMs) - from) / 1000;
  return { messages: lat.length + failed, completed: lat.length, failed, rate: lat.length / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

const nowMs = () => Number(process.hrtime.bigint() / 1000n) / 1000;

/**
 * Idle memory only, against two `ws` processes with half the clients each: drover's figure sums
 * 2 gateways holding half the clients each, so per-process heap growth is paid twice there; this
 * is the like-for-like reference (issue 14). The one-process row stays as DESIGN §8 words it.
 */
async function fillPair(ctx, { fleet, clients, startServer, stopServer }) {
  const servers = [];
  const urls = [];
  try {
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      servers.push(await startServer(() => new WsReference({ name: `ws-pair-${i + 1}`, port, registry: ctx.registry })));
      urls.push(`ws://127.0.0.1:${port}/`);
    }
    for (const url of urls) await fleet.open(url, Math.min(100, clients));
    await fleet.closeIdle();
    await sleep(ctx.settings.wsSettleMs);
    const rss = async () => (await Promise.all(servers.map((server) => server.stats()))).reduce((a, st) => a + st.rss, 0);
    const before = await rss();
    const half = Math.floor(clients / 2);
    const opened = (await fleet.open(urls[0], half)).opened + (await fleet.open(urls[1], clients - half)).opened;
    if (opened === 0) throw new Error('ws-pair: no client could connect');
    await sleep(ctx.settings.wsSettleMs);
    const after = await rss();
    await fleet.closeIdle();
    return { opened, kibPerConnection: (after - before) / opened / KiB };
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

/** `drover ws reload` while round-trip traffic runs and idle clients are connected. */
async function reloadUnderTraffic(ctx, { drover, fleet, url }) {
  const s = ctx.settings;
  const idle = await fleet.open(url, s.wsReloadIdleClients);
  const before = await drover.status();
  const oldBusiness = new Set(before.workers.filter((w) => w.role === 'business').map((w) => w.pid));
  const oldGateways = before.workers.filter((w) => w.role === 'gateway').map((w) => w.pid);
  const closesBefore = (await fleet.stats()).unexpectedCloses;
  const running = fleet.traffic(url, { clients: s.wsRoundTripClients, durationMs: s.wsReloadLoadS * 1000, mode: 'envelope' });
  const trafficFrom = nowMs();
  await sleep(s.wsReloadAtS * 1000);
  const reloadFrom = nowMs();
  const reload = await drover.reload();
  const reloadTo = nowMs();
  const t = await running;
  const closesAfter = await fleet.stats();
  const after = await drover.status();
  await fleet.closeIdle();
  const from = reloadFrom - t.startedAtMs;
  const to = reloadTo - t.startedAtMs;
  const steady = summarizeTraffic(t, 500, from);
  const during = summarizeTraffic(t, from, to);
  const whole = summarizeTraffic(t);
  // When the old business workers answered last, relative to `reload` returning (negative: before).
  const oldLast = Object.entries(t.answeredBy).filter(([pid]) => oldBusiness.has(Number(pid))).map(([, by]) => by.lastMs);
  const oldLastAnswerMs = oldLast.length > 0 ? Math.max(...oldLast) - to : null;
  return {
    wallMs: reload.wallMs,
    reportedMs: reload.reportedMs,
    drainedMs: reload.drainedMs,
    finishedInsideTraffic: to < t.elapsedMs,
    trafficStartSkewMs: t.startedAtMs - trafficFrom,
    idleClients: idle.opened,
    droppedClients: closesAfter.unexpectedCloses - closesBefore,
    closeCodes: closesAfter.closeCodes,
    trafficCloses: t.closes,
    messages: whole.messages,
    failedMessages: whole.failed,
    errorReplies: t.errorReplies,
    timeouts: t.timeouts,
    p99Steady: steady.p99,
    p99During: during.p99,
    rateSteady: steady.rate,
    rateDuring: during.rate,
    gatewaysKept: oldGateways.every((pid) => after.workers.some((w) => w.role === 'gateway' && w.pid === pid)),
    businessReplaced: after.workers.filter((w) => w.role === 'business').every((w) => !oldBusiness.has(w.pid)),
    oldLastAnswerMs,
    answeredBy: t.answeredBy,
  };
}

function summarizeRuns({ fills, trips, reloads, clients, notes, fdLimit, fleetProcesses, settings }) {
  const d = fills['drover-ws'];
  const r = fills['ws-single'];
  const pick = (list, key) => list.map((x) => x[key]);
  const ratios = [
    absolute({ id: 'ws-idle-kib-per-connection', name: 'idle RSS per connection, drover gateways', of: 'drover-ws', unit: 'KiB', values: pick(d, 'kibPerConnection') }),
    ratio({ id: 'ws-idle-memory-vs-single', name: 'idle RSS per connection, drover gateways ÷ one `ws` process', of: 'drover-ws', reference: 'ws-single', a: pick(d, 'kibPerConnection'), b: pick(r, 'kibPerConnection'), target: { op: '<=', value: 1.2 }, better: 'lower' }),
    ratio({ id: 'ws-idle-memory-vs-pair', name: 'idle RSS per connection, drover gateways ÷ two `ws` processes, half the clients each', of: 'drover-ws', reference: 'ws-pair', a: pick(d, 'kibPerConnection'), b: pick(fills.pair, 'kibPerConnection'), better: 'lower' }),
    ratio({ id: 'ws-broadcast-vs-single', name: `${BROADCAST_BYTES}-byte broadcast to ${clients} clients, drover sendToAll ÷ one \`ws\` process's loop`, of: 'drover-ws', reference: 'ws-single', a: pick(d, 'broadcastMs'), b: pick(r, 'broadcastMs'), target: { op: '<=', value: 1 }, better: 'lower' }),
  ];
  const tripD = trips['drover-ws'];
  const tripR = trips['ws-single'];
  ratios.push(
    ratio({ id: 'ws-roundtrip-p50-vs-echo', name: 'message round trip p50, drover gateway → business → gateway ÷ `ws` echo', of: 'drover-ws', reference: 'ws-single echo', a: pick(tripD, 'p50'), b: pick(tripR, 'p50'), better: 'lower' }),
    ratio({ id: 'ws-roundtrip-p99-vs-echo', name: 'message round trip p99, drover ÷ `ws` echo', of: 'drover-ws', reference: 'ws-single echo', a: pick(tripD, 'p99'), b: pick(tripR, 'p99'), better: 'lower' }),
    ratio({ id: 'ws-roundtrip-rate-vs-echo', name: 'round trips per second, drover ÷ `ws` echo', of: 'drover-ws', reference: 'ws-single echo', a: pick(tripD, 'rate'), b: pick(tripR, 'rate') }),
  );
  if (reloads.length > 0) {
    ratios.push(
      absolute({ id: 'ws-reload-dropped-clients', name: 'clients dropped by `drover ws reload` under message traffic', of: 'drover-ws', unit: 'clients', values: pick(reloads, 'droppedClients'), target: { op: '<=', value: 0, unit: 'clients' } }),
      absolute({ id: 'ws-reload-failed-messages', name: 'messages failed during `drover ws reload` (error reply or no answer)', of: 'drover-ws', unit: 'messages', values: pick(reloads, 'failedMessages') }),
      ratio({ id: 'ws-reload-p99-during-vs-steady', name: 'round trip p99 during `ws reload` ÷ before it', of: 'drover-ws during reload', reference: 'drover-ws before reload', a: pick(reloads, 'p99During'), b: pick(reloads, 'p99Steady'), better: 'lower' }),
    );
  }

  const cpuRatio = ratio({ id: 'ws-broadcast-cpu-vs-single', name: 'broadcast CPU per recipient (/proc, over the timed broadcasts), drover gateways ÷ one `ws` process', of: 'drover-ws', reference: 'ws-single', a: pick(d, 'cpuUsPerRecipient'), b: pick(r, 'cpuUsPerRecipient'), better: 'lower' });
  ratios.push(cpuRatio);

  const rows = [];
  const [memAbs, memRatio, memPair, bcast, p50, p99, rate, dropped, failed, reloadP99] = ratios;
  rows.push({ figure: memAbs.name, drover: `${range(memAbs.value, 2)} KiB`, reference: `one \`ws\` process: ${range(memRatio.reference_values, 2)} KiB (anchor 7.7)`, ratio: range(memRatio.ratio), target: targetText(memRatio.target), met: memRatio.met });
  rows.push({ figure: memPair.name, drover: `${range(memAbs.value, 2)} KiB`, reference: `two \`ws\` processes: ${range(memPair.reference_values, 2)} KiB`, ratio: range(memPair.ratio), target: '' });
  rows.push({ figure: bcast.name, drover: `${range(bcast.of_values, 1)} ms`, reference: `${range(bcast.reference_values, 1)} ms`, ratio: range(bcast.ratio), target: targetText(bcast.target), met: bcast.met });
  rows.push({ figure: cpuRatio.name, drover: `${range(cpuRatio.of_values, 2)} µs`, reference: `${range(cpuRatio.reference_values, 2)} µs`, ratio: range(cpuRatio.ratio), target: '' });
  for (const x of [p50, p99]) rows.push({ figure: x.name, drover: `${range(x.of_values, 3)} ms`, reference: `${range(x.reference_values, 3)} ms`, ratio: range(x.ratio), target: '' });
  rows.push({ figure: rate.name, drover: `${range(rate.of_values, 0)}/s`, reference: `${range(rate.reference_values, 0)}/s`, ratio: range(rate.ratio), target: '' });
  if (dropped) {
    const wall = summarize(pick(reloads, 'wallMs'));
    rows.push({ figure: dropped.name, drover: `${range(dropped.value, 0)} (${reloads.length} reload${reloads.length > 1 ? 's' : ''})`, reference: `${reloads[0].idleClients} idle + ${settings.wsRoundTripClients} busy clients`, ratio: '', target: targetText(dropped.target), met: dropped.met });
    rows.push({ figure: failed.name, drover: `${range(failed.value, 0)} of ${range(summarize(pick(reloads, 'messages')), 0)}`, reference: '', ratio: '', target: '' });
    const drained = reloads.some((x) => x.drainedMs !== null) ? `, drained ${range(summarize(pick(reloads, 'drainedMs')), 0)} ms` : '';
    rows.push({ figure: '  `drover ws reload` wall time under traffic; drover\'s own figures', drover: `${range(wall, 0)} ms`, reference: `reloaded in ${range(summarize(pick(reloads, 'reportedMs')), 0)} ms${drained}` });
    rows.push({ figure: reloadP99.name, drover: `${range(reloadP99.of_values, 2)} ms`, reference: `${range(reloadP99.reference_values, 2)} ms`, ratio: range(reloadP99.ratio), target: '' });
    const old = reloads.map((x) => fmt(x.oldLastAnswerMs, 0));
    rows.push({ figure: '  old business workers\' last answer, ms after `ws reload` returned; gateways kept; business replaced', drover: `${old.join(', ')} ms; ${reloads.every((x) => x.gatewaysKept) ? 'yes' : 'NO'}; ${reloads.every((x) => x.businessReplaced) ? 'yes' : 'NO'}` });
  }
  rows.push({ figure: '  heap per idle connection (drover gateways / `ws` process)', drover: `${range(summarize(pick(d, 'heapKibPerConnection')), 2)} KiB`, reference: `${range(summarize(pick(r, 'heapKibPerConnection')), 2)} KiB` });
  rows.push({ figure: '  connections per gateway; business workers\' RSS change', drover: d.map((x) => x.connectionsPerGateway.join('/')).join(', '), reference: `${d.map((x) => x.businessRssDeltaMiB.map((m) => fmt(m, 1)).join('/')).join(', ')} MiB` });
  rows.push({ figure: '  broadcast: sendToAll answered / ws loop done (ms after the call)', drover: `${range(summarize(pick(d, 'broadcastCallMs')), 1)} ms`, reference: `${range(summarize(pick(r, 'broadcastCallMs')), 1)} ms` });
  rows.push({ figure: `  ${clients} clients opened in / server started in`, drover: `${range(summarize(pick(d, 'openMs')), 0)} ms / ${range(summarize(pick(d, 'startMs')), 0)} ms`, reference: `${range(summarize(pick(r, 'openMs')), 0)} ms / ${range(summarize(pick(r, 'startMs')), 0)} ms` });
  const failedOpen = [...d, ...r].reduce((n, x) => n + x.failedToOpen, 0);
  const lost = [...d, ...r].reduce((n, x) => n + x.unexpectedCloses, 0);
  if (failedOpen > 0 || lost > 0) rows.push({ figure: '  warning', drover: `${failedOpen} connections failed to open, ${lost} idle clients closed by the server` });
  if (reloads.some((x) => !x.finishedInsideTraffic)) rows.push({ figure: '  warning', drover: 'a reload outlasted its traffic; raise wsReloadLoadS' });
  for (const note of notes) rows.push({ figure: '  note', drover: note });
  return { title, figures: { clients, fdLimit, fleetProcesses, heartbeatMs: HEARTBEAT_MS, labels: LABELS, fills, roundTrips: trips, reloads }, ratios, rows };
}
