// The Prometheus text exposition format (version 0.0.4) for one service: per worker (labels
// service, worker, role) and per service. Counters add up over every worker a slot or the
// service has had, so they never go down when a worker is replaced, crashes or is scaled away.
import type { ExitCount } from '../../protocol/status.js';
import type { Ledger } from '../ledger.js';
import { RELOAD_BUCKETS } from '../ledger.js';
import type { ServiceReading, WorkerReading } from './snapshot.js';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const SERVICE_STATES = ['starting', 'running', 'reloading', 'errored', 'stopping'] as const;

type Labels = Record<string, string | number>;
type Sample = [Labels, number];

export interface MasterFigures {
  pid: number;
  rss: number;
  startedAt: Date;
}

export function renderMetrics(reading: ServiceReading, ledger: Ledger, exits: ExitCount[], master: MasterFigures): string {
  const out: string[] = [];
  const service = reading.service;
  const s = (labels: Labels = {}): Labels => ({ service, ...labels });
  const family = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string, samples: Sample[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labelText(labels)} ${numberText(value)}`);
  };
  const live = reading.workers.filter((w): w is WorkerReading & { stats: NonNullable<WorkerReading['stats']> } => w.stats !== null);
  const w = (x: WorkerReading, labels: Labels = {}): Labels => s({ worker: x.id, role: x.role, ...labels });
  const gateways = live.filter((x) => x.stats.ws !== undefined);

  // ── per worker ──
  family('drover_worker_up', 'gauge', 'Whether the worker slot has a live process (0: waiting for a respawn, or errored).', reading.workers.map((x) => [w(x), x.pid === null ? 0 : 1]));
  family('drover_worker_info', 'gauge', 'The process in each worker slot now (always 1; pid, generation and state as labels).', live.map((x) => [w(x, { pid: x.pid ?? 0, generation: x.generation, state: x.state }), 1]));
  family('drover_worker_requests_total', 'counter', 'HTTP requests, or routed WebSocket messages, over every process the worker slot has had.', reading.workers.map((x) => [w(x), x.totals.requests]));
  family('drover_worker_requests_per_second', 'gauge', 'Requests per second over the last 10 s, as the worker last reported.', live.map((x) => [w(x), x.stats.rps]));
  family('drover_worker_inflight_requests', 'gauge', 'Requests being handled now.', live.map((x) => [w(x), x.stats.inflight]));
  family('drover_worker_connections', 'gauge', 'Open client connections.', live.map((x) => [w(x), x.stats.connections]));
  family('drover_worker_resident_memory_bytes', 'gauge', 'Resident set size of the worker process.', live.map((x) => [w(x), x.stats.rss]));
  family('drover_worker_heap_used_bytes', 'gauge', 'V8 heap in use in the worker process.', live.map((x) => [w(x), x.stats.heapUsed]));
  family('drover_worker_event_loop_utilization', 'gauge', 'Event-loop utilisation (0 to 1) between the last two reports.', live.map((x) => [w(x), x.stats.elu]));
  family('drover_worker_restarts_total', 'counter', 'Processes started in the worker slot after its first (crash respawns and recycles).', reading.workers.map((x) => [w(x), x.restarts]));
  family('drover_worker_stats_age_seconds', 'gauge', 'Seconds since the worker last answered a stats request; above 3 its figures are stale (busy event loop).', live.map((x) => [w(x), round3(x.staleSeconds)]));
  family('drover_worker_busy', 'gauge', 'Whether a ready worker has not answered for over 3 s (its figures are the last known).', live.map((x) => [w(x), x.busy ? 1 : 0]));
  family('drover_worker_log_lines_dropped_total', 'counter', 'Log lines of the worker slot that the master could not write to the log (a full disk, a closed pipe), over every process the slot has had.', reading.workers.map((x) => [w(x), x.logLinesDropped]));
  if (reading.kind === 'ws') {
    family('drover_worker_ws_clients', 'gauge', 'WebSocket clients connected to the gateway.', gateways.map((x) => [w(x), x.stats.ws!.clients]));
    family('drover_worker_ws_groups', 'gauge', 'Groups with at least one client on the gateway.', gateways.map((x) => [w(x), x.stats.ws!.groups]));
    const gatewaySlots = reading.workers.filter((x) => x.role === 'gateway');
    family('drover_worker_ws_messages_received_total', 'counter', 'Messages received from WebSocket clients by the gateway slot.', gatewaySlots.map((x) => [w(x), x.totals.wsMessagesIn]));
    family('drover_worker_ws_messages_sent_total', 'counter', 'Messages sent to WebSocket clients by the gateway slot.', gatewaySlots.map((x) => [w(x), x.totals.wsMessagesOut]));
  }

  // ── per service ──
  const sum = (f: (x: (typeof live)[number]) => number) => live.reduce((t, x) => t + f(x), 0);
  const roles = [...new Set(reading.workers.map((x) => x.role))];
  family('drover_workers', 'gauge', 'Worker slots by role (the count `scale` and the config set).', roles.map((role) => [s({ role }), reading.workers.filter((x) => x.role === role).length]));
  family('drover_workers_ready', 'gauge', 'Worker slots by role whose process is ready.', roles.map((role) => [s({ role }), live.filter((x) => x.role === role && x.state === 'ready').length]));
  family('drover_requests_total', 'counter', 'Requests over every worker the service has had.', [[s(), reading.totals.requests]]);
  family('drover_requests_per_second', 'gauge', 'Sum of the workers\' requests per second.', [[s(), round3(sum((x) => x.stats.rps))]]);
  family('drover_inflight_requests', 'gauge', 'Requests being handled now, all workers.', [[s(), sum((x) => x.stats.inflight)]]);
  family('drover_connections', 'gauge', 'Open client connections, all workers.', [[s(), sum((x) => x.stats.connections)]]);
  family('drover_workers_resident_memory_bytes', 'gauge', 'Resident set size of all workers.', [[s(), sum((x) => x.stats.rss)]]);
  family('drover_workers_heap_used_bytes', 'gauge', 'V8 heap in use, all workers.', [[s(), sum((x) => x.stats.heapUsed)]]);
  family('drover_restarts_total', 'counter', 'Worker processes restarted (crash respawns and recycles).', [[s(), ledger.restarts]]);
  family('drover_worker_exits_total', 'counter', 'Unexpected worker exits by exit code or signal.', exits.map((e) => [s({ code: e.code ?? '', signal: e.signal ?? '' }), e.count]));
  family('drover_reloads_total', 'counter', 'Rolling reloads by result.', [[s({ result: 'ok' }), ledger.reloads.ok], [s({ result: 'failed' }), ledger.reloads.failed]]);
  const h = ledger.reloadDuration;
  out.push('# HELP drover_reload_duration_seconds Time from a reload request until every replacement was ready and every old worker out of rotation.', '# TYPE drover_reload_duration_seconds histogram');
  RELOAD_BUCKETS.forEach((le, i) => out.push(`drover_reload_duration_seconds_bucket${labelText(s({ le: String(le) }))} ${h.buckets[i]}`));
  out.push(`drover_reload_duration_seconds_bucket${labelText(s({ le: '+Inf' }))} ${h.count}`);
  out.push(`drover_reload_duration_seconds_sum${labelText(s())} ${numberText(round3(h.sum))}`, `drover_reload_duration_seconds_count${labelText(s())} ${h.count}`);
  family('drover_log_lines_dropped_total', 'counter', 'Log lines that could not be written to the log, by writer: every worker the service has had, and the master.', [[s({ source: 'workers' }), reading.logLinesDropped.workers], [s({ source: 'master' }), reading.logLinesDropped.master]]);
  if (reading.kind === 'ws') {
    family('drover_ws_clients', 'gauge', 'WebSocket clients connected, all gateways.', [[s(), gateways.reduce((t, x) => t + x.stats.ws!.clients, 0)]]);
    family('drover_ws_groups', 'gauge', 'Groups summed over the gateways (a group with clients on two gateways counts twice).', [[s(), gateways.reduce((t, x) => t + x.stats.ws!.groups, 0)]]);
    family('drover_ws_messages_received_total', 'counter', 'Messages received from WebSocket clients, all gateways ever.', [[s(), reading.totals.wsMessagesIn]]);
    family('drover_ws_messages_sent_total', 'counter', 'Messages sent to WebSocket clients, all gateways ever.', [[s(), reading.totals.wsMessagesOut]]);
  }
  family('drover_service_state', 'gauge', 'The service state (1 for the current one).', SERVICE_STATES.map((state) => [s({ state }), reading.state === state ? 1 : 0]));
  family('drover_generation', 'gauge', 'Code generation: 1 at start, +1 per reload.', [[s(), reading.generation]]);
  family('drover_master_resident_memory_bytes', 'gauge', 'Resident set size of the master process.', [[s({ pid: master.pid }), master.rss]]);
  family('drover_master_start_time_seconds', 'gauge', 'When the master started, in seconds since the epoch.', [[s(), Math.floor(master.startedAt.getTime() / 1000)]]);
  return `${out.join('\n')}\n`;
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
