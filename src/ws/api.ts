// What the WebSocket service hands to user code: the push API (GatewayWorker's names), the
// context of an action and of the two WebSocket hooks, and the handshake stored per client.
import type { WorkerContext } from '../worker/context.js';

/** What a push sends: a string as a text frame, bytes as a binary frame, anything else as JSON text. */
export type PushData = string | Uint8Array | object | number | boolean | null;

/** The handshake of one client, captured by its gateway at the upgrade and kept per client. */
export interface Handshake {
  /** The request path and query, e.g. "/?token=abc". */
  url: string;
  query: Record<string, string>;
  /** Lower-cased header names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  remoteAddress: string;
  remotePort: number;
}

/** The push API. Every method works across every gateway worker of the service. */
export interface GatewayApi {
  sendToClient(clientId: string, data: PushData): Promise<boolean>;
  /** Resolves with the number of connections it was sent to. */
  sendToUid(uid: string, data: PushData): Promise<number>;
  sendToGroup(group: string, data: PushData, exclude?: string[]): Promise<number>;
  sendToAll(data: PushData, exclude?: string[]): Promise<number>;
  /** A client has at most one uid: binding another replaces it. One uid may have many clients. */
  bindUid(clientId: string, uid: string): Promise<boolean>;
  unbindUid(clientId: string, uid: string): Promise<boolean>;
  joinGroup(clientId: string, group: string): Promise<boolean>;
  leaveGroup(clientId: string, group: string): Promise<boolean>;
  /** Empties a group; resolves with the number of clients that were in it. */
  ungroup(group: string): Promise<number>;
  closeClient(clientId: string, code?: number, reason?: string): Promise<boolean>;
  isOnline(clientId: string): Promise<boolean>;
  isUidOnline(uid: string): Promise<boolean>;
  getClientIdsByUid(uid: string): Promise<string[]>;
  getClientIdsByGroup(group: string): Promise<string[]>;
  getUidByClientId(clientId: string): Promise<string | null>;
  getClientCount(): Promise<number>;
  getClientCountByGroup(group: string): Promise<number>;
  /** The client's session (a JSON object kept by its gateway), or null if it is not online. */
  getSession<T extends object = Record<string, unknown>>(clientId: string): Promise<T | null>;
  setSession(clientId: string, session: object): Promise<boolean>;
  /** Merges `partial` into the session (shallow). */
  updateSession(clientId: string, partial: object): Promise<boolean>;
}

interface ClientContext {
  clientId: string;
  /**
   * This client's session, read and written like a plain object. Changes are saved in the
   * client's gateway when the action or hook returns (as GatewayWorker does with $_SESSION).
   */
  session: Record<string, unknown>;
  gateway: GatewayApi;
  worker: WorkerContext;
}

/** What an action of a controller gets for a WebSocket message. */
export interface WsActionContext extends ClientContext {
  /** The message as parsed from the client's JSON text, pathInfo included. */
  message: Record<string, unknown>;
  pathInfo: string;
  module: string;
  controller: string;
  action: string;
  /** Sends an extra reply to this client now, in the same envelope as a returned value. */
  send(data: unknown, type?: string): Promise<void>;
}

/** onWebSocketConnect(ctx): runs before the client's first message is handled. */
export interface WsConnectContext extends ClientContext {
  handshake: Handshake;
}

/** onWebSocketClose(ctx): runs after the client's last message was handled. */
export interface WsCloseContext extends ClientContext {
  handshake: Handshake;
  code: number;
  reason: string;
  uid: string | null;
}
