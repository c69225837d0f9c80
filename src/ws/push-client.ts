// The push API over gateway links. An operation on one client goes to the gateway named in
// its id; uid, group and global operations go to every gateway and their answers are merged.
// Business workers use their own links; any other process on the host (the HTTP service's
// code, a script) uses `gateway` from 'drover', which finds the gateways' sockets under the
// project root.
import { droverError } from '../errors/index.js';
import { projectRoot } from '../core/paths.js';
import type { GatewayApi } from './api.js';
import { gatewayOf } from './client-id.js';
import { GatewayLink } from './link.js';
import { gatewaySocketPath, listGatewaySlots } from './paths.js';
import { mergeAnswers, OP_NAMES, OPERATIONS, type OpName } from './operations.js';

export interface LinkPool {
  /** The link to gateway `slot`, connected, or null when that gateway is not there. */
  get(slot: number): Promise<GatewayLink | null>;
  /** A link to every gateway that answers. */
  all(): Promise<GatewayLink[]>;
  /** For messages: where the gateways were looked for. */
  describe(): string;
}

/**
 * The push API over a pool of gateway links, every method made from its entry in OPERATIONS:
 * arguments checked and encoded here, sent to one gateway or all, answers folded, decoded.
 */
export function pushApi(pool: LinkPool): GatewayApi {
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of OP_NAMES) {
    const spec = OPERATIONS[name] as OpSpecOf;
    api[name] = async (...args: unknown[]) => {
      const wire = spec.encode(...args);
      const result = spec.route === 'client' ? await one(pool, name, wire, spec.absent) : mergeAnswers(name, await every(pool, name, wire));
      return spec.decode ? spec.decode(result) : result;
    };
  }
  return api as unknown as GatewayApi;
}

/** An entry of OPERATIONS seen from here: the per-operation types are checked in operations.ts. */
interface OpSpecOf {
  route: 'client' | 'all';
  absent?: unknown;
  encode(...args: unknown[]): unknown[];
  decode?(result: unknown): unknown;
}

/** An operation on one client: its gateway answers; a gateway that is gone means "not online". */
async function one(pool: LinkPool, op: OpName, args: unknown[], absent: unknown): Promise<unknown> {
  const slot = gatewayOf(args[0]);
  if (slot === null) return absent;
  // No gateway of that slot on this host: the client may be on another host (a gateway
  // relays operations on clients that are not its own when "redis" is configured).
  const link = (await pool.get(slot)) ?? (await pool.all())[0];
  if (!link) return absent;
  try {
    return await link.call(op, args);
  } catch (error) {
    if (!link.up) return absent; // the gateway went away with its clients
    throw error;
  }
}

/** An operation on every gateway; a gateway that goes away meanwhile has no clients to count. */
async function every(pool: LinkPool, op: OpName, args: unknown[]): Promise<unknown[]> {
  const links = await pool.all();
  if (links.length === 0) {
    throw droverError('DROVER_ERR_WS_UNAVAILABLE', { looked: pool.describe() });
  }
  // One gateway (the first) also relays the operation to the other hosts, if there are any.
  const answers = await Promise.allSettled(links.map((link, i) => link.call(op, args, undefined, i === 0)));
  const values: unknown[] = [];
  for (let i = 0; i < answers.length; i++) {
    const answer = answers[i]!;
    if (answer.status === 'fulfilled') values.push(answer.value);
    else if (links[i]!.up) throw answer.reason;
  }
  return values;
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
  return { ...pushApi(pool), close: async () => pool.close() };
}

// In a business worker, `gateway` is the worker's own push API (its links are already open);
// elsewhere it is a client of the "ws" service under DROVER_ROOT or the current directory.
let workerGateway: GatewayApi | null = null;
let defaultClient: GatewayClient | null = null;

export function useWorkerGateway(api: GatewayApi): void {
  workerGateway = api;
}

function target(): GatewayApi {
  return workerGateway ?? (defaultClient ??= createGateway());
}

/** The push API: `import { gateway } from 'drover'; await gateway.sendToUid('42', 'hello')`. */
export const gateway: GatewayClient = Object.freeze({
  ...(Object.fromEntries(OP_NAMES.map((name) => [name, (...args: unknown[]) => (target()[name] as (...a: unknown[]) => unknown)(...args)])) as unknown as GatewayApi),
  close: async () => {
    const client = defaultClient;
    defaultClient = null;
    await client?.close();
  },
});
