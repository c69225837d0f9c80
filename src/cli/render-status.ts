// The `status` table, in the spirit of Workerman's: a global section, one row per worker, a
// summary row.
import { describeBuild } from '../master/build-check.js';
import { plural } from '../core/words.js';
import type { ServiceStatus, WorkerConnections } from '../protocol/status.js';

const WIDTH = 100;

export function renderStatus(s: ServiceStatus): string {
  const lines: string[] = [];
  lines.push(rule('GLOBAL STATUS'));
  const started = new Date(s.master.startedAt);
  lines.push(`drover ${s.master.version}    Node ${s.master.node}    service ${s.service} (${s.kind})    state ${s.state}`);
  lines.push(`start time ${started.toISOString().replace('T', ' ').slice(0, 19)}    up ${duration(Date.now() - started.getTime())}    generation ${s.generation}`);
  lines.push(`load average ${s.master.loadavg?.map((l) => l.toFixed(2)).join(', ') ?? '-'}    master pid ${s.master.pid}    master rss ${bytes(s.master.rss)}`);
  lines.push(`listen ${s.listen.join(', ') || '-'}    ${plural(s.workers.length, 'worker')}${byRole(s)}`);
  if (s.exits.length > 0) lines.push(`unexpected exits: ${s.exits.map((e) => `${e.signal ?? `code ${e.code}`} × ${e.count}`).join(', ')}`);
  if (s.lastError) lines.push(`last error: ${s.lastError}`);
  if (s.build) lines.push(`WARNING: ${describeBuild(s.build)}`);
  lines.push(...logLines(s));
  lines.push(rule('PROCESS STATUS'));
  const header = ['id', 'role', 'pid', 'state', 'rss', 'heap', 'requests', 'rps', 'inflight', 'conns', 'elu', 'uptime', 'restarts', 'gen'];
  const rows = s.workers.map((w) => [
    String(w.id),
    w.role,
    w.pid === null ? '-' : String(w.pid),
    w.busy ? `${w.state} [busy]` : w.state,
    bytes(w.rss),
    bytes(w.heapUsed),
    String(w.requests),
    w.rps.toFixed(1),
    String(w.inflight),
    String(w.connections),
    w.elu.toFixed(2),
    duration(w.uptimeMs),
    String(w.restarts),
    String(w.generation),
  ]);
  const sum = (pick: (w: ServiceStatus['workers'][number]) => number) => s.workers.reduce((a, w) => a + pick(w), 0);
  const summary = [
    'Σ', '', '', '', bytes(sum((w) => w.rss)), bytes(sum((w) => w.heapUsed)), String(sum((w) => w.requests)),
    sum((w) => w.rps).toFixed(1), String(sum((w) => w.inflight)), String(sum((w) => w.connections)), '', '', String(sum((w) => w.restarts)), '',
  ];
  lines.push(...table([header, ...rows], summary));
  lines.push(...crashLines(s));
  return lines.join('\n');
}

/** " (2 gateway, 3 business)" when the service has several roles (what `scale` changes, per role). */
function byRole(s: ServiceStatus): string {
  const counts = new Map<string, number>();
  for (const w of s.workers) counts.set(w.role, (counts.get(w.role) ?? 0) + 1);
  return counts.size > 1 ? ` (${[...counts].map(([role, n]) => `${n} ${role}`).join(', ')})` : '';
}

/** Where the log goes, and any lines it lost (a full disk, a closed pipe), by process. */
function logLines(s: ServiceStatus): string[] {
  if (!s.log) return [];
  const out = [`log ${s.log.destination} (${s.log.format}${s.log.maxSize > 0 ? `, rotated at ${bytes(s.log.maxSize)}` : ''})`];
  if (s.log.dropped > 0) {
    const by = [`master ${s.master.logDropped}`, ...s.workers.filter((w) => w.logDropped > 0).map((w) => `worker ${w.id} ${w.logDropped}`)];
    const error = s.log.lastWriteError ? `; last write error ${s.log.lastWriteError.code} at ${s.log.lastWriteError.at.replace('T', ' ').slice(0, 19)}` : '';
    out[0] += `    log lines dropped: ${s.log.dropped} (${by.join(', ')})${error}`;
  }
  return out;
}

/** Why workers died: the end of what each slot's last crashed worker wrote to stderr. */
function crashLines(s: ServiceStatus): string[] {
  const out: string[] = [];
  for (const w of s.workers) {
    const c = w.lastCrash;
    if (!c) continue;
    const how = c.signal ? `killed by ${c.signal}` : `exit code ${c.code}`;
    out.push('', `last crash of worker ${w.id}: pid ${c.pid}, ${how}, at ${c.at.replace('T', ' ').slice(0, 19)}${c.stderr.length > 0 ? '; its last stderr lines:' : '; it wrote nothing to stderr'}`);
    out.push(...c.stderr.map((line) => `  | ${line}`));
  }
  return out;
}

export function renderConnections(service: string, workers: WorkerConnections[]): string {
  // WebSocket gateways also say which client, uid and groups each connection is.
  const websocket = workers.some((w) => w.connections.some((c) => c.clientId !== undefined));
  const header = ['worker', 'pid', 'remote', 'age', 'requests', ...(websocket ? ['client id', 'uid', 'groups'] : [])];
  const rows: string[][] = [];
  for (const w of workers) {
    if (w.busy) rows.push([String(w.id), String(w.pid ?? '-'), '[busy: no answer]', '', '']);
    for (const c of w.connections) {
      const ws = websocket ? [c.clientId ?? '', c.uid ?? '', (c.groups ?? []).join(',')] : [];
      rows.push([String(w.id), String(w.pid ?? '-'), `${c.remoteAddress}:${c.remotePort}`, duration(c.ageMs), String(c.requests), ...ws]);
    }
  }
  const total = workers.reduce((a, w) => a + w.connections.length, 0);
  return [`${service}: ${total} open connections`, ...table([header, ...rows])].join('\n');
}

function table(rows: string[][], summary?: string[]): string[] {
  const all = summary ? [...rows, summary] : rows;
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const format = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = rows.map(format);
  if (summary) out.push('-'.repeat(Math.min(WIDTH, format(summary).length)), format(summary));
  return out;
}

function rule(title: string): string {
  const side = Math.max(2, Math.floor((WIDTH - title.length - 2) / 2));
  return `${'-'.repeat(side)} ${title} ${'-'.repeat(side)}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)}K`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)}M`;
  return `${(n / 1024 ** 3).toFixed(2)}G`;
}

export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}
