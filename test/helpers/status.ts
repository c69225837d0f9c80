// `status --json`, parsed, and the pids it names (registered for cleanup as a side effect).
import assert from 'node:assert/strict';
import { runCli, show } from './cli.js';
import type { Project } from './project.js';

export interface WorkerRow {
  id: number;
  role: string;
  pid: number | null;
  state: string;
  busy: boolean;
  generation: number;
  rss: number;
  heapUsed: number;
  requests: number;
  rps: number;
  inflight: number;
  connections: number;
  elu: number;
  uptimeMs: number;
  restarts: number;
  lastError: string | null;
  logDropped: number;
  lastCrash: { pid: number; code: number | null; signal: string | null; at: string; stderr: string[] } | null;
}

export interface ServiceStatus {
  service: string;
  kind: string;
  state: string;
  listen: string[];
  generation: number;
  master: { pid: number; startedAt: string; rss: number; node: string; version: string; logDropped: number; resources: Record<string, number>; listeners: number; loadavg: number[] };
  workers: WorkerRow[];
  exits: Array<{ code: number | null; signal: string | null; count: number }>;
  lastError: string | null;
  log: { destination: string; format: string; maxSize: number; dropped: number; lastWriteError: { code: string; at: string } | null };
}

export async function statusJson(project: Project, service: string): Promise<ServiceStatus> {
  const r = await runCli(project, [service, 'status', '--json']);
  assert.equal(r.code, 0, `status --json failed${show(r)}`);
  const status = JSON.parse(r.stdout) as ServiceStatus;
  trackStatus(project, status);
  return status;
}

export function trackStatus(project: Project, status: ServiceStatus): void {
  project.track(status.master?.pid, ...(status.workers ?? []).map((w) => w.pid));
}

export function workerPids(status: ServiceStatus): number[] {
  return status.workers.map((w) => w.pid).filter((pid): pid is number => pid !== null);
}
