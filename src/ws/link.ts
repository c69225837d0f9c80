// A peer's connection to one gateway's local socket (business workers hold one per gateway,
// push clients open them on demand): hello/welcome, calls with answers, the items a business
// worker handles, and the goodbye of a retiring business worker.
import net from 'node:net';
import { PROTO } from '../protocol/envelope.js';
import { CALL_TIMEOUT_MS } from './constants.js';
import { encode, LineReader, type ClientItem, type GatewayToPeer, type OpName, type PeerToGateway } from './protocol.js';

export type Hello = Omit<Extract<PeerToGateway, { t: 'hello' }>, 't' | 'proto'>;

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface LinkOptions {
  slot: number;
  path: string;
  hello: Hello;
  /** Business workers: the client items this gateway hands over. */
  onItem?(link: GatewayLink, item: ClientItem): void;
  /** Called when an established link goes down (not after close()). */
  onDown?(link: GatewayLink): void;
  /** Push clients: the socket keeps the process alive only while a call waits for its answer. */
  refOnlyWhileCalling?: boolean;
}

export class GatewayLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayLinkError';
  }
}

export class GatewayLink {
  private socket: net.Socket | null = null;
  private welcomed = false;
  private closing = false;
  private nextId = 1;
  private readonly calls = new Map<number, PendingCall>();
  private byeOk: (() => void) | null = null;

  constructor(private readonly options: LinkOptions) {}

  get slot(): number {
    return this.options.slot;
  }

  get up(): boolean {
    return this.welcomed && this.socket !== null && !this.socket.destroyed;
  }

  /** One attempt: resolves once the gateway has welcomed us; rejects if it is not there. */
  open(timeoutMs: number): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let lastError: Error | null = null;
      const socket = net.connect(this.options.path);
      this.socket = socket;
      this.closing = false;
      socket.setEncoding('utf8');
      const timer = setTimeout(() => socket.destroy(new GatewayLinkError(`gateway ${this.slot} did not answer within ${timeoutMs} ms`)), timeoutMs);
      const reader = new LineReader<GatewayToPeer>(
        (message) => {
          if (message.t === 'welcome') {
            if (message.proto !== PROTO || message.slot !== this.slot) {
              return void socket.destroy(new GatewayLinkError(`${this.options.path} is not gateway ${this.slot} of this drover version`));
            }
            clearTimeout(timer);
            this.welcomed = true;
            this.updateRef();
            return resolve();
          }
          this.onMessage(message);
        },
        () => socket.destroy(new GatewayLinkError(`gateway ${this.slot} sent something that is not a message`)),
      );
      socket.on('connect', () => socket.write(encode({ t: 'hello', proto: PROTO, ...this.options.hello })));
      socket.on('data', (chunk: string) => reader.push(chunk));
      socket.on('error', (error) => (lastError = error));
      socket.on('close', () => {
        clearTimeout(timer);
        const wasUp = this.welcomed;
        this.welcomed = false;
        if (this.socket === socket) this.socket = null;
        this.failCalls(new GatewayLinkError(`the connection to gateway ${this.slot} closed`));
        this.byeOk?.();
        if (!wasUp) return reject(lastError ?? new GatewayLinkError(`gateway ${this.slot} closed the connection`));
        if (!this.closing) this.options.onDown?.(this);
      });
    });
  }

  /** relay: this gateway also sends the operation to the other hosts (when "redis" is configured). */
  call(op: OpName, args: unknown[], timeoutMs = CALL_TIMEOUT_MS, relay = false): Promise<unknown> {
    if (!this.up) return Promise.reject(new GatewayLinkError(`gateway ${this.slot} is not connected`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        this.updateRef();
        reject(new GatewayLinkError(`gateway ${this.slot} did not answer ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.calls.set(id, { resolve, reject, timer });
      this.updateRef();
      this.send(relay ? { t: 'call', id, op, a: args, x: 1 } : { t: 'call', id, op, a: args });
    });
  }

  send(message: PeerToGateway): boolean {
    if (!this.socket || this.socket.destroyed) return false;
    this.socket.write(encode(message));
    return true;
  }

  /** A retiring business worker: after this resolves the gateway sends nothing new. */
  retire(): Promise<void> {
    if (!this.up) return Promise.resolve();
    return new Promise((resolve) => {
      this.byeOk = () => {
        this.byeOk = null;
        resolve();
      };
      this.send({ t: 'bye' });
    });
  }

  /** Ends the connection once what was written has gone out. */
  close(): void {
    this.closing = true;
    this.socket?.end();
  }

  private onMessage(message: GatewayToPeer): void {
    switch (message.t) {
      case 'answer': {
        const pending = this.calls.get(message.id);
        if (!pending) return;
        this.calls.delete(message.id);
        clearTimeout(pending.timer);
        this.updateRef();
        if (message.e !== undefined) pending.reject(new Error(`gateway ${this.slot}: ${message.e}`));
        else pending.resolve(message.v);
        return;
      }
      case 'bye-ok':
        return this.byeOk?.();
      case 'open':
      case 'msg':
      case 'close':
        return this.options.onItem?.(this, message);
      default:
        return;
    }
  }

  private failCalls(error: Error): void {
    for (const pending of this.calls.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.calls.clear();
  }

  private updateRef(): void {
    if (!this.options.refOnlyWhileCalling || !this.socket) return;
    if (this.calls.size > 0) this.socket.ref();
    else this.socket.unref();
  }
}
