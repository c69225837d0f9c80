// A business worker: no public port. It connects to every gateway's local socket, reports
// ready once it is connected to all of them, follows the gateways the master adds and removes
// at runtime (topology()), and handles what the gateways hand it: a
// client's open (onWebSocketConnect), its messages (routed to controller actions) and its
// close (onWebSocketClose). Gateways send one item per client at a time, so a client's
// messages are handled in order here without further bookkeeping.
import type { WsServiceConfig } from '../config/types.js';
import type { ConnectionInfo } from '../protocol/status.js';
import type { WorkerContext } from '../worker/context.js';
import type { ModuleHooks } from '../worker/module-hooks.js';
import { codeFileFor } from '../worker/user-module.js';
import { Router } from '../worker/router.js';
import type { RunningService, Topology } from '../worker/service.js';
import type { WorkerCounters } from '../worker/stats.js';
import type { GatewayApi, Handshake, WsActionContext, WsCloseContext, WsConnectContext } from './api.js';
import { RECONNECT_MAX_MS, RECONNECT_MIN_MS, REPLY_BAD_MESSAGE, REPLY_INTERNAL } from './constants.js';
import { GatewayLink, type Hello } from './link.js';
import { gatewaySocketPath } from './paths.js';
import type { ClientItem } from './protocol.js';
import { pushApi, useWorkerGateway } from './push-client.js';
import { envelope, errorReply } from './replies.js';
import { topologyFromEnv } from './topology.js';

/** Say so in the log when a gateway has not answered for this long at boot. */
const SLOW_GATEWAY_MS = 5000;

export async function startBusiness(config: WsServiceConfig, worker: WorkerContext, counters: WorkerCounters, hooks: ModuleHooks): Promise<RunningService> {
  const business = new Business(config, worker, counters, hooks);
  await business.preload();
  await business.connectAll();
  return {
    connections: (): ConnectionInfo[] => [],
    stop: (graceful) => business.stop(graceful),
    topology: (topology) => business.topology(topology),
  };
}

class Business {
  readonly api: GatewayApi;
  /** One link per gateway the master announced, by slot; a leaving one stays until it closes. */
  private readonly links = new Map<number, GatewayLink>();
  /** Links to gateways being scaled away: up while their clients drain, never reopened. */
  private readonly leaving = new Set<GatewayLink>();
  private readonly hello: Hello;
  private readonly router: Router;
  private stopping = false;
  private busy = 0;
  private idle: (() => void) | null = null;

  constructor(
    config: WsServiceConfig,
    private readonly worker: WorkerContext,
    private readonly counters: WorkerCounters,
    private readonly hooks: ModuleHooks,
  ) {
    this.router = new Router(worker.codeRoot, worker.debug, (f) => codeFileFor(f, worker));
    const topology = topologyFromEnv(process.env, config);
    // Links send this object as it is when they (re)connect: a new business layout updates it.
    this.hello = {
      role: 'business' as const,
      pid: process.pid,
      slot: worker.workerId,
      generation: worker.generation,
      slots: topology.business,
      hooks: { connect: hooks.has('onWebSocketConnect'), close: hooks.has('onWebSocketClose') },
    };
    for (const slot of topology.gateways) this.links.set(slot, this.newLink(slot));
    this.api = pushApi({
      get: async (slot) => {
        const link = this.links.get(slot);
        return link?.up ? link : null;
      },
      all: async () => [...this.links.values()].filter((link) => link.up),
      describe: () => `business worker ${worker.workerId} is connected to none of its ${this.links.size} gateways`,
    });
    useWorkerGateway(this.api);
  }

  private newLink(slot: number): GatewayLink {
    return new GatewayLink({
      slot,
      path: gatewaySocketPath(this.worker.root, this.worker.service, slot),
      hello: this.hello,
      onItem: (link, item) => void this.handle(link, item),
      onDown: (link) => this.linkOnDown(link),
    });
  }

  private linkOnDown(link: GatewayLink): void {
    if (this.leaving.delete(link)) {
      if (this.links.get(link.slot) === link) this.links.delete(link.slot);
      return;
    }
    void this.keepLinked(link);
  }

  /**
   * The master's new layout (scale, reload): links to new gateways (resolves once they are
   * up), tells every gateway the business slots, and lets links to removed gateways run until
   * those gateways close them: they answer their clients' last messages through them.
   */
  async topology(topology: Topology): Promise<void> {
    this.hello.slots = topology.business;
    const wanted = new Set(topology.gateways);
    for (const [slot, link] of this.links) {
      if (link.up) link.send({ t: 'slots', slots: topology.business });
      if (wanted.has(slot) || this.leaving.has(link)) continue;
      if (link.up) this.leaving.add(link);
      else {
        this.links.delete(slot); // keepLinked gives up on a link that is no longer in the map
        link.close();
      }
    }
    const fresh: GatewayLink[] = [];
    for (const slot of topology.gateways) {
      if (this.links.has(slot)) continue;
      const link = this.newLink(slot);
      this.links.set(slot, link);
      fresh.push(link);
    }
    await Promise.all(fresh.map((link) => this.keepLinked(link)));
  }

  /** Every controller is loaded at boot: a broken file fails the boot (and a reload rolls back), not messages. */
  async preload(): Promise<void> {
    await this.router.preload();
  }

  /** Resolves once every gateway has welcomed this worker (the master's readyTimeout bounds it). */
  async connectAll(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => this.keepLinked(link)));
  }

  /** (Re)connects to one gateway until it answers: at boot, and after a gateway crash. */
  private async keepLinked(link: GatewayLink): Promise<void> {
    const since = Date.now();
    let wait = RECONNECT_MIN_MS;
    let said = false;
    while (!this.stopping && this.links.get(link.slot) === link && !this.leaving.has(link)) {
      try {
        await link.open(1000);
        if (said) this.log(`connected to gateway ${link.slot}`);
        return;
      } catch (error) {
        if (!said && Date.now() - since > SLOW_GATEWAY_MS) {
          said = true;
          this.log(`still waiting for gateway ${link.slot}: ${(error as Error).message}`);
        }
        await delay(wait);
        wait = Math.min(wait * 2, RECONNECT_MAX_MS);
      }
    }
  }

  async stop(graceful: boolean): Promise<void> {
    this.stopping = true;
    if (graceful) {
      // After every gateway's bye-ok nothing new arrives: finish what is here, then go.
      await Promise.all([...this.links.values()].map((link) => link.retire()));
      if (this.busy > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    }
    for (const link of this.links.values()) link.close();
  }

  private async handle(link: GatewayLink, item: ClientItem): Promise<void> {
    this.busy += 1;
    const session = new SessionBox(item.s);
    let reply: string | undefined;
    try {
      if (item.t === 'msg') reply = await this.onMessage(link, item, session);
      else await this.runHook(item, session);
    } finally {
      link.send({ t: 'done', c: item.c, r: reply, s: session.changed() });
      this.busy -= 1;
      if (this.busy === 0) this.idle?.();
    }
  }

  private async runHook(item: Exclude<ClientItem, { t: 'msg' }>, session: SessionBox): Promise<void> {
    const name = item.t === 'open' ? 'onWebSocketConnect' : 'onWebSocketClose';
    const base = { clientId: item.c, handshake: JSON.parse(item.h) as Handshake, gateway: this.api, worker: this.worker };
    const context = (item.t === 'open' ? withSession(base, session) : withSession({ ...base, code: item.code, reason: item.reason, uid: item.uid }, session)) as
      | WsConnectContext
      | WsCloseContext;
    try {
      await this.hooks.run(name, context);
    } catch (error) {
      this.log(`${name} for client ${item.c}: ${(error as Error).stack ?? error}`);
    }
  }

  private async onMessage(link: GatewayLink, item: Extract<ClientItem, { t: 'msg' }>, session: SessionBox): Promise<string | undefined> {
    this.counters.onRequest();
    this.counters.inflight += 1;
    try {
      return await this.route(link, item, session);
    } finally {
      this.counters.inflight -= 1;
    }
  }

  private async route(link: GatewayLink, item: Extract<ClientItem, { t: 'msg' }>, session: SessionBox): Promise<string | undefined> {
    let message: unknown;
    try {
      message = JSON.parse(item.d);
    } catch {
      return errorReply(REPLY_BAD_MESSAGE, 'the message is not JSON: send {"pathInfo":"module/Controller/action", ...} (or the text "ping").');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message) || typeof (message as { pathInfo?: unknown }).pathInfo !== 'string') {
      return errorReply(REPLY_BAD_MESSAGE, 'the message has no "pathInfo": send {"pathInfo":"module/Controller/action", ...}.');
    }
    const pathInfo = (message as { pathInfo: string }).pathInfo;
    try {
      const route = await this.router.resolve(pathInfo);
      if (!route.ok) return errorReply(route.status, route.message, pathInfo);
      const { action } = route.target;
      const context = withSession(
        {
          session: {},
          clientId: item.c,
          message: message as Record<string, unknown>,
          pathInfo,
          ...route.target,
          gateway: this.api,
          worker: this.worker,
          send: async (data: unknown, type = action) => {
            await link.call('sendToClient', [item.c, envelope(type, data, pathInfo)]);
          },
        },
        session,
      ) as WsActionContext;
      const result = await route.invoke(context);
      return result === undefined ? undefined : envelope(action, result, pathInfo);
    } catch (error) {
      return this.failure(error, pathInfo);
    }
  }

  /**
   * An error a controller meant for the client (a `status` or `code` of 400-499, or
   * `expose: true`) is sent as it is; anything else is logged and answered 500, with its
   * message only in debug mode.
   */
  private failure(error: unknown, pathInfo: string): string {
    const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as { status?: unknown; code?: unknown; expose?: unknown; message?: unknown; stack?: unknown };
    const status = [e.status, e.code].find((c): c is number => typeof c === 'number' && c >= 400 && c < 500);
    const message = typeof e.message === 'string' ? e.message : String(error);
    if (status !== undefined || e.expose === true) return errorReply(status ?? REPLY_INTERNAL, message, pathInfo);
    this.log(`${pathInfo} failed: ${typeof e.stack === 'string' ? e.stack : message}`);
    return errorReply(REPLY_INTERNAL, this.worker.debug ? `internal error: ${message}` : 'internal error', pathInfo);
  }

  private log(message: string): void {
    process.stderr.write(`[${this.worker.service} business ${this.worker.workerId} pid ${process.pid}] ${message}\n`);
  }
}

/** A client's session for one item: parsed when first read, sent back only if it changed. */
class SessionBox {
  private parsed: Record<string, unknown> | null = null;

  constructor(private readonly text: string | null) {}

  get value(): Record<string, unknown> {
    if (this.parsed === null) {
      let value: unknown = {};
      try {
        value = JSON.parse(this.text ?? '{}');
      } catch {
        // A session written by something else that is not JSON: start afresh.
      }
      this.parsed = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    }
    return this.parsed;
  }

  set value(next: Record<string, unknown>) {
    if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new TypeError('a session must be a plain object');
    this.parsed = next;
  }

  /** The session's new JSON text, or undefined when it was not changed. */
  changed(): string | undefined {
    if (this.parsed === null) return undefined;
    const text = JSON.stringify(this.parsed);
    return text === (this.text ?? '{}') ? undefined : text;
  }
}

function withSession<T extends object>(base: T, session: SessionBox): T & { session: Record<string, unknown> } {
  return Object.defineProperty(base, 'session', {
    get: () => session.value,
    set: (value: Record<string, unknown>) => (session.value = value),
    enumerable: true,
  }) as T & { session: Record<string, unknown> };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
