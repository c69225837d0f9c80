// The push API's operations, each declared once: how the caller's arguments become the wire's
// (checked on the caller's side, so a mistake throws where it was made), where the operation
// goes (the gateway that holds one client, or every gateway), how a gateway runs it on its
// client index, and how the answers of several gateways and hosts fold into one.
//
// Everything else is derived from this table: the wire types (protocol.ts), the gateway's
// handlers (gateway.ts), the client API (push-client.ts) and the cross-host relay (relay.ts).
// The table is typed against GatewayApi (api.ts, the documented public interface): a method
// there without an entry here, or an entry whose arguments do not match, is a compile error.
import type { GatewayApi, PushData } from './api.js';
import type { ClientIndex, IndexedClient } from './client-index.js';

/** Data pushed to clients: text as it is, bytes in base64. */
export type WireData = string | { b64: string };

/** What a gateway lends an operation: its index, and the two things that touch sockets. */
export interface OpContext<C extends IndexedClient = IndexedClient> {
  index: ClientIndex<C>;
  /** Sends `data` to each client not in `exclude`; returns how many it was written to. */
  push(clients: Iterable<C>, data: WireData, exclude: ReadonlySet<string> | null): number;
  close(client: C, code: number, reason: string): void;
}

/**
 * How the answers of several gateways (and hosts) fold into one: add counts, any true, all
 * ids, or the one gateway that knew the client.
 */
export type Merge = 'sum' | 'any' | 'concat' | 'first';

type ApiArgs<K extends keyof GatewayApi> = Parameters<GatewayApi[K]>;
type ApiResult<K extends keyof GatewayApi> = Awaited<ReturnType<GatewayApi[K]>>;

interface OpSpec<K extends keyof GatewayApi, W extends unknown[], R> {
  /** 'client': to the gateway named in the client id (the first argument); 'all': to every gateway. */
  route: 'client' | 'all';
  merge: Merge;
  /** 'client' operations: the answer when no gateway holds the client. */
  absent?: R;
  /** Caller's side: checks the arguments and gives the wire's. */
  encode(...args: ApiArgs<K>): W;
  /** Gateway's side: runs it on this gateway's clients. The arguments come from a peer: checked again. */
  run(ctx: OpContext, args: W): R;
  /** Caller's side: the API's answer from the folded wire answer (default: as it is). */
  decode?(result: R): ApiResult<K>;
}

// The identity function that lets each entry's W and R be inferred while K is checked.
const op = <K extends keyof GatewayApi>() => <W extends unknown[], R extends ApiResult<K> | WireOnly<K>>(spec: OpSpec<K, W, R>) => spec;
/** getSession travels as JSON text and is parsed by the caller. */
type WireOnly<K extends keyof GatewayApi> = K extends 'getSession' ? string | null : never;

export const OPERATIONS = {
  sendToClient: op<'sendToClient'>()({
    route: 'client', merge: 'any', absent: false,
    encode: (clientId, data) => [clientId, toWire(data)] as [string, WireData],
    run: (ctx, [id, data]) => {
      const client = online(ctx, id);
      return client ? ctx.push([client], wireData(data), null) === 1 : false;
    },
  }),
  sendToUid: op<'sendToUid'>()({
    route: 'all', merge: 'sum',
    encode: (uid, data) => [text(uid, 'uid'), toWire(data)] as [string, WireData],
    run: (ctx, [uid, data]) => ctx.push(ctx.index.byUid(str(uid, 'uid')), wireData(data), null),
  }),
  sendToGroup: op<'sendToGroup'>()({
    route: 'all', merge: 'sum',
    encode: (group, data, exclude = []) => [text(group, 'group'), toWire(data), ids(exclude)] as [string, WireData, string[]],
    run: (ctx, [group, data, exclude]) => ctx.push(ctx.index.byGroup(str(group, 'group')), wireData(data), excluded(exclude)),
  }),
  sendToAll: op<'sendToAll'>()({
    route: 'all', merge: 'sum',
    encode: (data, exclude = []) => [toWire(data), ids(exclude)] as [WireData, string[]],
    run: (ctx, [data, exclude]) => ctx.push(ctx.index.all(), wireData(data), excluded(exclude)),
  }),
  bindUid: op<'bindUid'>()({
    route: 'client', merge: 'any', absent: false,
    encode: (clientId, uid) => [clientId, text(uid, 'uid')] as [string, string],
    run: (ctx, [id, uid]) => {
      const client = online(ctx, id);
      if (!client) return false;
      ctx.index.bindUid(client, str(uid, 'uid'));
      return true;
    },
  }),
  unbindUid: op<'unbindUid'>()({
    route: 'client', merge: 'any', absent: false,
    encode: (clientId, uid) => [clientId, text(uid, 'uid')] as [string, string],
    run: (ctx, [id, uid]) => {
      const client = online(ctx, id);
      return client ? ctx.index.unbindUid(client, str(uid, 'uid')) : false;
    },
  }),
  joinGroup: op<'joinGroup'>()({
    route: 'client', merge: 'any', absent: false,
    encode: (clientId, group) => [clientId, text(group, 'group')] as [string, string],
    run: (ctx, [id, group]) => {
      const client = online(ctx, id);
      if (!client) return false;
      ctx.index.joinGroup(client, str(group, 'group'));
      return true;
    },
  }),
  leaveGroup: op<'leaveGroup'>()({
    route: 'client', merge: 'any', absent: false,
    encode: (clientId, group) => [clientId, text(group, 'group')] as [string, string],
    run: (ctx, [id, group]) => {
      const client = online(ctx, id);
      return client ? ctx.index.leaveGroup(client, str(group, 'group')) : false;
    },
  }),
  ungroup: op<'ungroup'>()({
    route: 'all', merge: 'sum',
    encode: (group) => [text(group, 'group')] as [string],
    run: (ctx, [group]) => ctx.index.ungroup(str(group, 'group')),
  }),
  closeClient: op<'closeClient'>()({
    route: 'client', merge: 'any', absent: false,
    encode: (clientId, code = 1000, reason = '') => [clientId, code, reason] as [string, number, string],
    run: (ctx, [id, code, reason]) => {
      const client = online(ctx, id);
      if (!client) return false;
      // 1000 or an application code (RFC 6455 §7.4.2); anything else would fail the close frame.
      const valid = code === 1000 || (typeof code === 'number' && Number.isInteger(code) && code >= 3000 && code <= 4999);
      ctx.close(client, valid ? code : 1000, typeof reason === 'string' ? reason.slice(0, 120) : '');
      return true;
    },
  }),
  isOnline: op<'isOnline'>()({
    route: 'client', merge: 'any', absent: false,
    encode: (clientId) => [clientId] as [string],
    run: (ctx, [id]) => online(ctx, id) !== null,
  }),
  isUidOnline: op<'isUidOnline'>()({
    route: 'all', merge: 'any',
    encode: (uid) => [text(uid, 'uid')] as [string],
    run: (ctx, [uid]) => ctx.index.byUid(str(uid, 'uid')).size > 0,
  }),
  getClientIdsByUid: op<'getClientIdsByUid'>()({
    route: 'all', merge: 'concat',
    encode: (uid) => [text(uid, 'uid')] as [string],
    run: (ctx, [uid]) => [...ctx.index.byUid(str(uid, 'uid'))].map((c) => c.id),
  }),
  getClientIdsByGroup: op<'getClientIdsByGroup'>()({
    route: 'all', merge: 'concat',
    encode: (group) => [text(group, 'group')] as [string],
    run: (ctx, [group]) => [...ctx.index.byGroup(str(group, 'group'))].map((c) => c.id),
  }),
  getUidByClientId: op<'getUidByClientId'>()({
    route: 'client', merge: 'first', absent: null,
    encode: (clientId) => [clientId] as [string],
    run: (ctx, [id]) => online(ctx, id)?.uid ?? null,
  }),
  getClientCount: op<'getClientCount'>()({
    route: 'all', merge: 'sum',
    encode: () => [] as [],
    run: (ctx) => ctx.index.size,
  }),
  getClientCountByGroup: op<'getClientCountByGroup'>()({
    route: 'all', merge: 'sum',
    encode: (group) => [text(group, 'group')] as [string],
    run: (ctx, [group]) => ctx.index.byGroup(str(group, 'group')).size,
  }),
  getSession: op<'getSession'>()({
    route: 'client', merge: 'first', absent: null,
    encode: (clientId) => [clientId] as [string],
    // Sessions travel as JSON text: the gateway stores them as it got them.
    run: (ctx, [id]): string | null => {
      const client = online(ctx, id);
      return client ? (client.session ?? '{}') : null;
    },
    decode: (session) => (session === null ? null : JSON.parse(session)),
  }),
  setSession: op<'setSession'>()({
    route: 'client', merge: 'any', absent: false,
    encode: (clientId, session) => [clientId, objectText(session)] as [string, string],
    run: (ctx, [id, session]) => {
      const client = online(ctx, id);
      if (!client) return false;
      ctx.index.setSession(client, str(session, 'session'));
      return true;
    },
  }),
  updateSession: op<'updateSession'>()({
    route: 'client', merge: 'any', absent: false,
    encode: (clientId, partial) => [clientId, objectText(partial)] as [string, string],
    run: (ctx, [id, partial]) => {
      const client = online(ctx, id);
      if (!client) return false;
      ctx.index.updateSession(client, str(partial, 'session'));
      return true;
    },
  }),
} satisfies { [K in keyof GatewayApi]: OpSpec<K, any, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

export type OpName = keyof typeof OPERATIONS;
/** The wire's arguments and answer of each operation, as the table gives them. */
export type OpArgs<K extends OpName> = ReturnType<(typeof OPERATIONS)[K]['encode']>;
export type OpResult<K extends OpName> = ReturnType<(typeof OPERATIONS)[K]['run']>;
export const OP_NAMES = Object.keys(OPERATIONS) as OpName[];

// Every GatewayApi method has an entry, and nothing else does (the satisfies above checks the
// first half and each entry's types; this checks the second).
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const everyMethod: Exact<OpName, keyof GatewayApi> = true;
void everyMethod;

export function isOpName(name: unknown): name is OpName {
  return typeof name === 'string' && Object.hasOwn(OPERATIONS, name);
}

/** Runs an operation that came from a peer or another host; throws on a bad name or arguments. */
export function runOperation(ctx: OpContext, name: unknown, args: unknown): unknown {
  if (!isOpName(name)) throw new Error(`unknown operation "${String(name)}"`);
  if (!Array.isArray(args)) throw new TypeError('arguments must be an array');
  return (OPERATIONS[name].run as (ctx: OpContext, args: unknown[]) => unknown)(ctx, args);
}

/** Folds the answers of several gateways (or hosts) into one, as the operation says. */
export function mergeAnswers(name: OpName, answers: readonly unknown[]): unknown {
  switch (OPERATIONS[name].merge) {
    case 'sum':
      return answers.reduce<number>((total, n) => total + (typeof n === 'number' ? n : 0), 0);
    case 'any':
      return answers.some((answer) => answer === true);
    case 'concat':
      return answers.flatMap((answer) => (Array.isArray(answer) ? answer : []));
    case 'first':
      return answers.find((answer) => answer !== null && answer !== undefined) ?? null;
  }
}

/** Whether an operation on these arguments concerns one client (and which), or every gateway. */
export function clientOf(name: OpName, args: readonly unknown[]): string | null {
  return OPERATIONS[name].route === 'client' && typeof args[0] === 'string' ? args[0] : null;
}

function online(ctx: OpContext, id: unknown): IndexedClient | null {
  return ctx.index.get(str(id, 'client id'));
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

function wireData(data: unknown): WireData {
  if (typeof data === 'string') return data;
  if (typeof data === 'object' && data !== null && typeof (data as { b64?: unknown }).b64 === 'string') return data as WireData;
  throw new TypeError('data must be a string or { b64 }');
}

function excluded(exclude: unknown): ReadonlySet<string> | null {
  return Array.isArray(exclude) && exclude.length > 0 ? new Set(exclude.filter((id): id is string => typeof id === 'string')) : null;
}

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
