// The push API over gateway links. An operation on one client goes to the gateway named in
// its id; uid, group and global operations go to every gateway and their answers are merged.
// Business workers use their own links; any other process on the host (the HTTP service's
// code, a script) uses `gateway` from 'drover', which finds the gateways' sockets under the
// project root.
import { DroverError } from '../errors.js';
import { projectRoot } from '../paths.js';
import type { GatewayApi, PushData } from './api.js';
import { gatewayOf } from './client-id.js';
import { GatewayLink } from './link.js';
import { gatewaySocketPath, listGatewaySlots } from './paths.js';
import type { OpArgs, OpName, OpResult, WireData } from './protocol.js';

export interface LinkPool {
  /** The link to gateway `slot`, connected, or null when that gateway is not there. */
  get(slot: number): Promise<GatewayLink | null>;
  /** A link to every gateway that answers. */
  all(): Promise<GatewayLink[]>;
  /** For messages: where the gateways were looked for. */
  describe(): string;
}

export class PushClient implements GatewayApi {
  constructor(private readonly pool: LinkPool) {}

  sendToClient(clientId: string, data: PushData): Promise<boolean> {
    return this.one(clientId, 'sendToClient', [clientId, toWire(data)], false);
  }

  async sendToUid(uid: string, data: PushData): Promise<number> {
    return sum(await this.every('sendToUid', [text(uid, 'uid'), toWire(data)]));
  }

  async sendToGroup(group: string, data: PushData, exclude: string[] = []): Promise<number> {
    return sum(await this.every('sendToGroup', [text(group, 'group'), toWire(data), ids(exclude)]));
  }

  async sendToAll(data: PushData, exclude: string[] = []): Promise<number> {
    return sum(await this.every('sendToAll', [toWire(data), ids(exclude)]));
  }

  bindUid(clientId: string, uid: string): Promise<boolean> {
    return this.one(clientId, 'bindUid', [clientId, text(uid, 'uid')], false);
  }

  unbindUid(clientId: string, uid: string): Promise<boolean> {
    return this.one(clientId, 'unbindUid', [clientId, text(uid, 'uid')], false);
  }

  joinGroup(clientId: string, group: string): Promise<boolean> {
    return this.one(clientId, 'joinGroup', [clientId, text(group, 'group')], false);
  }

  leaveGroup(clientId: string, group: string): Promise<boolean> {
    return this.one(clientId, 'leaveGroup', [clientId, text(group, 'group')], false);
  }

  async ungroup(group: string): Promise<number> {
    return sum(await this.every('ungroup', [text(group, 'group')]));
  }

  closeClient(clientId: string, code = 1000, reason = ''): Promise<boolean> {
    return this.one(clientId, 'closeClient', [clientId, code, reason], false);
  }

  isOnline(clientId: string): Promise<boolean> {
    return this.one(clientId, 'isOnline', [clientId], false);
  }

  async isUidOnline(uid: string): Promise<boolean> {
    return (await this.every('isUidOnline', [text(uid, 'uid')])).some(Boolean);
  }

  async getClientIdsByUid(uid: string): Promise<string[]> {
    return (await this.every('getClientIdsByUid', [text(uid, 'uid')])).flat();
  }

  async getClientIdsByGroup(group: string): Promise<string[]> {
    return (await this.every('getClientIdsByGroup', [text(group, 'group')])).flat();
  }

  getUidByClientId(clientId: string): Promise<string | null> {
    return this.one(clientId, 'getUidByClientId', [clientId], null);
  }

  async getClientCount(): Promise<number> {
    return sum(await this.every('getClientCount', []));
  }

  async getClientCountByGroup(group: string): Promise<number> {
    return sum(await this.every('getClientCountByGroup', [text(group, 'group')]));
  }

  async getSession<T extends object = Record<string, unknown>>(clientId: string): Promise<T | null> {
    const session = await this.one(clientId, 'getSession', [clientId], null);
    return session === null ? null : (JSON.parse(session) as T);
  }

  setSession(clientId: string, session: object): Promise<boolean> {
    return this.one(clientId, 'setSession', [clientId, objectText(session)], false);
  }

  updateSession(clientId: string, partial: object): Promise<boolean> {
    return this.one(clientId, 'updateSession', [clientId, objectText(partial)], false);
  }

  /** An operation on one client: its gateway answers; a gateway that is gone means "not online". */
  private async one<K extends OpName>(clientId: string, op: K, args: OpArgs<K>, absent: OpResult<K>): Promise<OpResult<K>> {
    const slot = gatewayOf(clientId);
    if (slot === null) return absent;
    // No gateway of that slot on this host: the client may be on another host (a gateway
    // relays operations on clients that are not its own when "redis" is configured).
    const link = (await this.pool.get(slot)) ?? (await this.pool.all())[0];
    if (!link) return absent;
    try {
      return await link.call(op, args);
    } catch (error) {
      if (!link.up) return absent; // the gateway went away with its clients
      throw error;
    }
  }

  /** An operation on every gateway; a gateway that goes away meanwhile has no clients to count. */
  private async every<K extends OpName>(op: K, args: OpArgs<K>): Promise<Array<OpResult<K>>> {
    const links = await this.pool.all();
    if (links.length === 0) {
      throw new DroverError('DROVER_ERR_WS_UNAVAILABLE', `no gateway of the WebSocket service answers (${this.pool.describe()}).`, {
        hint: 'start the service ("drover ws start -d"), or pass the right root and service to createGateway().',
      });
    }
    // One gateway (the first) also relays the operation to the other hosts, if there are any.
    const answers = await Promise.allSettled(links.map((link, i) => link.call(op, args, undefined, i === 0)));
    const values: Array<OpResult<K>> = [];
    for (let i = 0; i < answers.length; i++) {
      const answer = answers[i]!;
      if (answer.status === 'fulfilled') values.push(answer.value);
      else if (links[i]!.up) throw answer.reason;
    }
    return values;
  }
}

export interface GatewayClientOptions {
  /** The project root whose pidfiles/ holds the gateways' sockets (default: DROVER_ROOT, else the current directory). */
  root?: string;
  /** The WebSocket service's name (default "ws"). */
  service?: string;
  /** How many gateways the service has; needed on Windows only, where sockets cannot be listed. */
  gateways?: number;
}

/** A push client for processes that are not business workers. close() lets the process exit. */
export interface GatewayClient extends GatewayApi {
  close(): Promise<void>;
}

/** Connects on first use to the gateways found under `root`/pidfiles. */
class SocketPool implements LinkPool {
  private readonly links = new Map<number, GatewayLink>();
  private readonly opening = new Map<number, Promise<GatewayLink | null>>();

  constructor(
    private readonly root: string,
    private readonly service: string,
    private readonly count: number | null,
  ) {}

  get(slot: number): Promise<GatewayLink | null> {
    const link = this.links.get(slot);
    if (link?.up) return Promise.resolve(link);
    let opening = this.opening.get(slot);
    if (!opening) {
      opening = this.connect(slot).finally(() => this.opening.delete(slot));
      this.opening.set(slot, opening);
    }
    return opening;
  }

  async all(): Promise<GatewayLink[]> {
    const slots = this.count ? Array.from({ length: this.count }, (_, i) => i + 1) : listGatewaySlots(this.root, this.service);
    const links = await Promise.all(slots.map((slot) => this.get(slot)));
    return links.filter((link): link is GatewayLink => link !== null);
  }

  describe(): string {
    return `looked for ${this.service}.gateway-*.sock in ${this.root}/pidfiles`;
  }

  close(): void {
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  private async connect(slot: number): Promise<GatewayLink | null> {
    const link = new GatewayLink({
      slot,
      path: gatewaySocketPath(this.root, this.service, slot),
      hello: { role: 'client', pid: process.pid, slot: 0, generation: 0, slots: [], hooks: { connect: false, close: false } },
      refOnlyWhileCalling: true,
    });
    try {
      await link.open(2000);
    } catch {
      return null; // a stale socket of a gateway that is gone, or none at all
    }
    this.links.get(slot)?.close();
    this.links.set(slot, link);
    return link;
  }
}

export function createGateway(options: GatewayClientOptions = {}): GatewayClient {
  const pool = new SocketPool(projectRoot(options.root), options.service ?? 'ws', options.gateways ?? null);
  const client = new PushClient(pool) as PushClient & { close(): Promise<void> };
  client.close = async () => pool.close();
  return client;
}

// In a business worker, `gateway` is the worker's own push API (its links are already open);
// elsewhere it is a client of the "ws" service under DROVER_ROOT or the current directory.
let workerGateway: GatewayApi | null = null;
let defaultClient: GatewayClient | null = null;

export function useWorkerGateway(api: GatewayApi): void {
  workerGateway = api;
}

const METHODS = [
  'sendToClient', 'sendToUid', 'sendToGroup', 'sendToAll', 'bindUid', 'unbindUid', 'joinGroup', 'leaveGroup', 'ungroup',
  'closeClient', 'isOnline', 'isUidOnline', 'getClientIdsByUid', 'getClientIdsByGroup', 'getUidByClientId', 'getClientCount',
  'getClientCountByGroup', 'getSession', 'setSession', 'updateSession',
] as const satisfies ReadonlyArray<keyof GatewayApi>;

function target(): GatewayApi {
  return workerGateway ?? (defaultClient ??= createGateway());
}

/** The push API: `import { gateway } from 'drover'; await gateway.sendToUid('42', 'hello')`. */
export const gateway: GatewayClient = Object.freeze({
  ...(Object.fromEntries(METHODS.map((name) => [name, (...args: unknown[]) => (target()[name] as (...a: unknown[]) => unknown)(...args)])) as unknown as GatewayApi),
  close: async () => {
    const client = defaultClient;
    defaultClient = null;
    await client?.close();
  },
});

function toWire(data: PushData): WireData {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return { b64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
  if (data instanceof ArrayBuffer) return { b64: Buffer.from(data).toString('base64') };
  const json = JSON.stringify(data);
  if (json === undefined) throw new TypeError('push data must be a string, bytes, or a value JSON can encode');
  return json;
}

function text(value: unknown, what: string): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${what} must be a non-empty string (received ${typeof value})`);
  return value;
}

function ids(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new TypeError('exclude must be an array of client ids');
  return value as string[];
}

function objectText(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('a session must be a plain object');
  return JSON.stringify(value);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
