// The opt-in metrics listener, in the master: GET /metrics (Prometheus text), GET / (the live
// page), GET /live.json?since=<ms>&events=<ms> (its data). Why in the master: it is the only process that
// knows restarts, exits, reloads and the counters of workers that are gone, and it already
// holds each worker's last figures (the monitor asks every second). A request is answered
// from that memory alone, synchronously: no worker is asked, so a busy one cannot stall it,
// and the cost on the accept path is formatting a few kilobytes per scrape (bench scenario 9, metrics-scale).
import http from 'node:http';
import type { MetricsConfig } from '../../config/types.js';
import { PortInUseError } from '../../errors/index.js';
import type { Arbiter } from '../arbiter.js';
import { History } from './history.js';
import { LIVE_PAGE } from './live-page.js';
import { CONTENT_TYPE, renderMetrics } from './prometheus.js';
import { readService } from './snapshot.js';

const SAMPLE_MS = 1000;

export class MetricsServer {
  private readonly server: http.Server;
  private readonly history: History;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly arbiter: Arbiter,
    private readonly config: MetricsConfig,
    private readonly startedAt: Date,
  ) {
    this.history = new History(config.historySeconds);
    this.server = http.createServer((req, res) => this.serverOnRequest(req, res));
    // Scrapers and a browser tab: few, local, quick. A slow or idle client must not pile up sockets in the master.
    this.server.maxConnections = 64;
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 5_000;
    this.server.keepAliveTimeout = 5_000;
  }

  get address(): string {
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    return `http://${host}:${this.config.port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(error.code === 'EADDRINUSE' ? new PortInUseError(`${this.address} (metrics.listen)`) : error);
      };
      this.server.once('error', onError);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.server.on('error', () => undefined); // after listen: per-socket errors only, never fatal
    this.timer = setInterval(() => this.history.record(readService(this.arbiter)), SAMPLE_MS);
    this.timer.unref();
  }

  /** Safe to call twice. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.server.listening) return;
    this.server.close();
    this.server.closeAllConnections();
  }

  private serverOnRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'only GET\n', { allow: 'GET, HEAD' });
    const [path, query = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
    switch (path) {
      case '/metrics':
        return send(res, 200, CONTENT_TYPE, this.metricsText());
      case '/':
        return send(res, 200, 'text/html; charset=utf-8', LIVE_PAGE);
      case '/live.json':
      {
        const params = new URLSearchParams(query);
        return send(res, 200, 'application/json', JSON.stringify(this.live(Number(params.get('since')) || 0, Number(params.get('events')) || 0)));
      }
      default:
        return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /\n');
    }
  }

  metricsText(): string {
    const { arbiter } = this;
    return renderMetrics(readService(arbiter), arbiter.ledger, arbiter.exits.list(), { pid: process.pid, rss: process.memoryUsage.rss(), startedAt: this.startedAt });
  }

  /** Samples newer than `since` and events newer than `eventsSince` (ms since the epoch). */
  private live(since: number, eventsSince: number): unknown {
    const reading = readService(this.arbiter);
    return {
      service: reading.service,
      kind: reading.kind,
      state: reading.state,
      generation: reading.generation,
      now: reading.now,
      historySeconds: this.config.historySeconds,
      master: { pid: process.pid, rss: process.memoryUsage.rss() },
      workers: reading.workers.map((w) => ({
        id: w.id,
        role: w.role,
        pid: w.pid,
        state: w.state,
        busy: w.busy,
        restarts: w.restarts,
        requests: w.totals.requests,
        staleSeconds: Math.round(w.staleSeconds * 10) / 10,
        ...(w.stats ? { rps: w.stats.rps, rss: w.stats.rss, heapUsed: w.stats.heapUsed, elu: w.stats.elu, inflight: w.stats.inflight, connections: w.stats.connections } : {}),
      })),
      samples: this.history.since(since),
      events: this.arbiter.ledger.events.filter((e) => e.t > eventsSince),
    };
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
