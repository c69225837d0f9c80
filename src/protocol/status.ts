// The shapes that `status --json` and `connections --json` print (DESIGN.md §7).

export type ServiceState = 'starting' | 'running' | 'reloading' | 'errored' | 'stopping';
export type WorkerState = 'starting' | 'ready' | 'stopping' | 'errored' | 'waiting';
export type WorkerRole = 'http' | 'gateway' | 'business' | string;

/** What a worker measures about itself and reports over IPC. */
export interface WorkerStats {
  rss: number;
  heapUsed: number;
  requests: number;
  rps: number;
  inflight: number;
  connections: number;
  elu: number;
  /** WebSocket gateways only: clients online, groups, messages received from and sent to clients (counters). */
  ws?: WsGatewayStats;
}

export interface WsGatewayStats {
  clients: number;
  groups: number;
  messagesIn: number;
  messagesOut: number;
}

export interface WorkerStatus extends WorkerStats {
  id: number;
  role: WorkerRole;
  pid: number | null;
  state: WorkerState;
  busy: boolean;
  generation: number;
  uptimeMs: number;
  restarts: number;
  lastError: string | null;
  /** Lines of this slot's workers that could not be written to the log (a full disk, a closed pipe). */
  logDropped: number;
  /** The last worker of this slot that died unexpectedly, with the end of what it wrote to stderr. */
  lastCrash: CrashReport | null;
}

export interface CrashReport {
  pid: number;
  code: number | null;
  signal: string | null;
  at: string;
  /** Its last stderr lines (at most 20, each cut at 500 characters). */
  stderr: string[];
}

export interface LogStatus {
  /** The log file, or "stdout/stderr" in the foreground. */
  destination: string;
  format: 'text' | 'json';
  /** Rotation size in bytes (0 = off). */
  maxSize: number;
  /** Lines lost to failed writes since the master started: master and workers together. */
  dropped: number;
  lastWriteError: { code: string; at: string } | null;
}

export interface ExitCount {
  code: number | null;
  signal: string | null;
  count: number;
}

/** A production build that lags behind its TypeScript sources (src/master/build-check.ts). */
export interface BuildReport {
  /** The build folder, relative to the project root. */
  dir: string;
  /** Sources changed after their compiled file was written: production runs the old code. */
  stale: string[];
  /** Sources with no compiled file while others have one: they run from source through tsx. */
  missing: string[];
}

export interface ServiceStatus {
  service: string;
  kind: 'http' | 'ws' | 'custom';
  state: ServiceState;
  listen: string[];
  generation: number;
  master: {
    pid: number;
    startedAt: string;
    rss: number;
    node: string;
    version: string;
    /** Lines of the master's own that its log could not take (a full disk, a closed pipe). */
    logDropped: number;
    /** What keeps the master's event loop alive, by kind (Timeout, TCPServerWrap, PipeWrap, ...): flat across reloads. */
    resources: Record<string, number>;
    /** Event listeners on the master's long-lived emitters (process, cluster, the stop signal): flat across reloads. */
    listeners: number;
    /** The host's load averages over 1, 5 and 15 minutes (os.loadavg()); absent from a master started by an older drover. */
    loadavg?: number[];
  };
  workers: WorkerStatus[];
  exits: ExitCount[];
  lastError: string | null;
  log: LogStatus;
  /** Present only when a production master runs a build that lags behind its sources. */
  build?: BuildReport;
}

export interface ConnectionInfo {
  remoteAddress: string;
  remotePort: number;
  ageMs: number;
  /** HTTP requests, or messages from a WebSocket client. */
  requests: number;
  /** WebSocket clients only (gateway workers). */
  clientId?: string;
  uid?: string | null;
  groups?: string[];
}

export interface WorkerConnections {
  id: number;
  pid: number | null;
  busy: boolean;
  connections: ConnectionInfo[];
}

/** A worker killed at its stop deadline, and what it was still doing. */
export interface Interrupted {
  id: number;
  pid: number;
  inflight: number;
  connections: number;
}

export interface ReloadResult {
  ok: boolean;
  /** Until every replacement was ready and every old worker out of rotation. */
  durationMs: number;
  /** Until the last old worker had drained and exited. */
  drainedMs?: number;
  /** Old workers still busy at stopTimeout, killed with requests in flight. */
  interrupted?: Interrupted[];
  replaced: Array<{ id: number; oldPid: number | null; newPid: number | null }>;
  /** Workers the new config (or a count kept from `scale`) added, and ones it removed (they drained); role when the service has several. */
  added?: Array<{ id: number; pid: number | null; role?: string }>;
  removed?: Array<{ id: number; pid: number | null; role?: string }>;
  /** How counts set by `scale` fared: kept, or replaced by a changed config count. */
  notes?: string[];
  generation: number;
  error?: { code: string; message: string; details?: string; hint?: string };
  /** The build the new workers run lags behind its sources (production only). */
  build?: BuildReport;
}

export interface ScaleResult {
  ok: boolean;
  role: string;
  from: number;
  to: number;
  /** New workers, ready; and removed ones, drained and gone. */
  added: Array<{ id: number; pid: number | null }>;
  removed: Array<{ id: number; pid: number | null }>;
  /** Until the new workers were ready or the removed ones had exited. */
  durationMs: number;
  error?: { code: string; message: string; hint?: string; details?: string };
}
