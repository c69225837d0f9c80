// A real `ws` client for tests: an inbox that waits for the next message matching a predicate,
// the close it saw (code, reason, when), and calls to controller actions by pathInfo.
import WebSocket from 'ws';

export interface Reply {
  type: string;
  data: unknown;
  path: string | null;
  time: number;
}

export interface ClientOptions {
  path?: string;
  headers?: Record<string, string>;
  origin?: string;
  secure?: boolean;
  /** false: never answer protocol pings (a dead TCP peer, as far as the gateway can tell). */
  autoPong?: boolean;
  timeoutMs?: number;
}

export interface Closed {
  code: number;
  reason: string;
  at: number;
}

export class TestClient {
  /** Messages not taken by next() yet, oldest first. */
  readonly inbox: Array<{ text: string; binary: boolean }> = [];
  readonly closed: Promise<Closed>;
  closeInfo: Closed | null = null;
  /** Set by whoami(). */
  id = '';
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString(), at: Date.now() };
        this.notify();
        resolve(this.closeInfo);
      });
    });
    ws.on('message', (data, binary) => {
      this.inbox.push({ text: binary ? Buffer.from(data as Buffer).toString('base64') : String(data), binary });
      this.notify();
    });
    ws.on('error', () => undefined);
  }

  static connect(port: number, options: ClientOptions = {}): Promise<TestClient> {
    const headers = { ...options.headers, ...(options.origin ? { origin: options.origin } : {}) };
    const ws = new WebSocket(`${options.secure ? 'wss' : 'ws'}://127.0.0.1:${port}${options.path ?? '/'}`, {
      headers,
      autoPong: options.autoPong ?? true,
      rejectUnauthorized: false,
      handshakeTimeout: options.timeoutMs ?? 10_000,
    });
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  /** The HTTP status a refused upgrade got, or 101 if it was accepted (and then closed). */
  static async upgradeStatus(port: number, options: ClientOptions = {}): Promise<number> {
    try {
      const client = await TestClient.connect(port, options);
      client.ws.terminate();
      return 101;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === undefined) throw error;
      return status;
    }
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Takes the oldest message matching `match` (every message by default), waiting for it if needed. */
  next(match: (text: string, binary: boolean) => boolean = () => true, timeoutMs = 10_000, what = 'a message'): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.inbox.findIndex((m) => match(m.text, m.binary));
        if (i !== -1) {
          const [m] = this.inbox.splice(i, 1);
          done();
          return resolve(m!.text);
        }
        if (this.closeInfo) {
          done();
          reject(new Error(`client ${this.id || '?'} closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting for ${what}; inbox: ${JSON.stringify(this.inbox)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`client ${this.id || '?'}: no ${what} within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox).slice(0, 2000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Sends {"pathInfo", ...extra} and resolves with the reply envelope for that path (error or not). */
  async call<T = unknown>(pathInfo: string, extra: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Reply & { data: T }> {
    this.send(JSON.stringify({ pathInfo, ...extra }));
    return this.reply<T>(pathInfo, timeoutMs);
  }

  /** The next envelope whose path is `pathInfo`. */
  async reply<T = unknown>(pathInfo: string | null, timeoutMs = 10_000): Promise<Reply & { data: T }> {
    const text = await this.next((t) => parseReply(t)?.path === pathInfo, timeoutMs, `a reply for ${pathInfo}`);
    return parseReply(text)! as Reply & { data: T };
  }

  /** Asks WsTest/whoami: remembers and returns this client's id. */
  async whoami(): Promise<{ clientId: string; pid: number; worker: number }> {
    const r = await this.call<{ clientId: string; pid: number; worker: number }>('worker/WsTest/whoami');
    if (r.type !== 'whoami') throw new Error(`whoami failed: ${JSON.stringify(r)}`);
    this.id = r.data.clientId;
    return r.data;
  }

  /** The gateway slot that holds this client (from its id). */
  get gateway(): number {
    return Number(this.id.split('-')[0]);
  }

  async close(code = 1000): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
    else if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    return this.closed;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export function parseReply(text: string): Reply | null {
  try {
    const value = JSON.parse(text) as Reply;
    return typeof value === 'object' && value !== null && 'type' in value && 'time' in value ? value : null;
  } catch {
    return null;
  }
}

/** Connects clients until each of the `gateways` gateway slots holds at least `perGateway`. */
export async function clientsOnEveryGateway(port: number, gateways: number, perGateway = 1, options: ClientOptions = {}): Promise<TestClient[][]> {
  const bySlot: TestClient[][] = Array.from({ length: gateways }, () => []);
  const extra: TestClient[] = [];
  for (let attempt = 0; attempt < gateways * perGateway * 10 && bySlot.some((list) => list.length < perGateway); attempt++) {
    const client = await TestClient.connect(port, options);
    await client.whoami();
    const list = bySlot[client.gateway - 1]!;
    if (list.length < perGateway) list.push(client);
    else extra.push(client);
  }
  await Promise.all(extra.map((c) => c.close()));
  if (bySlot.some((list) => list.length < perGateway)) throw new Error(`could not get ${perGateway} clients on each of ${gateways} gateways: ${bySlot.map((l) => l.length).join(', ')}`);
  return bySlot;
}
