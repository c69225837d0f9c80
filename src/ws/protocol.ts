// Gateway ⇄ peer messages (a peer is a business worker or a push client) over a gateway's
// local socket: one JSON object per line, a discriminated union on `t`. The socket is private
// (0600) and never carries a client's frame unwrapped: a client's text travels as a string
// field, so nothing a client sends can pass for one of these.
import { LineFramer, parseObjectLine } from '../local/lines.js';
import { PROTO } from '../protocol/envelope.js';
import type { Handshake } from './api.js';

/** Data pushed to clients: text as it is, bytes in base64. */
export type WireData = string | { b64: string };

/** Push operations: [arguments, answer]. The gateway's table must handle each (compile-checked). */
export interface Ops {
  sendToClient: [[clientId: string, data: WireData], boolean];
  sendToUid: [[uid: string, data: WireData], number];
  sendToGroup: [[group: string, data: WireData, exclude: string[]], number];
  sendToAll: [[data: WireData, exclude: string[]], number];
  bindUid: [[clientId: string, uid: string], boolean];
  unbindUid: [[clientId: string, uid: string], boolean];
  joinGroup: [[clientId: string, group: string], boolean];
  leaveGroup: [[clientId: string, group: string], boolean];
  ungroup: [[group: string], number];
  closeClient: [[clientId: string, code: number, reason: string], boolean];
  isOnline: [[clientId: string], boolean];
  isUidOnline: [[uid: string], boolean];
  getClientIdsByUid: [[uid: string], string[]];
  getClientIdsByGroup: [[group: string], string[]];
  getUidByClientId: [[clientId: string], string | null];
  getClientCount: [[], number];
  getClientCountByGroup: [[group: string], number];
  /** Sessions travel as JSON text: the gateway stores them as it got them. */
  getSession: [[clientId: string], string | null];
  setSession: [[clientId: string, session: string], boolean];
  updateSession: [[clientId: string, partial: string], boolean];
}
export type OpName = keyof Ops;
export type OpArgs<K extends OpName> = Ops[K][0];
export type OpResult<K extends OpName> = Ops[K][1];

/** Operations that concern one client: they go to the gateway named in its id. */
export const CLIENT_OPS = new Set<OpName>([
  'sendToClient', 'bindUid', 'unbindUid', 'joinGroup', 'leaveGroup', 'closeClient', 'isOnline',
  'getUidByClientId', 'getSession', 'setSession', 'updateSession',
]);

export type PeerRole = 'business' | 'client';

export type PeerToGateway =
  | {
      t: 'hello';
      proto: typeof PROTO;
      role: PeerRole;
      pid: number;
      /** Business workers: their slot, generation, every business slot, and which client hooks they run. */
      slot: number;
      generation: number;
      slots: number[];
      hooks: { connect: boolean; close: boolean };
    }
  /** A business worker has handled the client's oldest item: reply text, changed session. */
  | { t: 'done'; c: string; r?: string; s?: string }
  /** id 0: no answer wanted. x 1: relay it to the other hosts too (when "redis" is configured). */
  | { t: 'call'; id: number; op: OpName; a: unknown[]; x?: 1 }
  /** A business worker retires: send it nothing new. */
  | { t: 'bye' };

/** What a gateway hands a business worker for one client, in the client's order. */
export type ClientItem =
  | { t: 'open'; c: string; h: Handshake; s: string | null }
  | { t: 'msg'; c: string; d: string; s: string | null }
  | { t: 'close'; c: string; code: number; reason: string; h: Handshake; s: string | null; uid: string | null };

export type GatewayToPeer =
  | { t: 'welcome'; proto: typeof PROTO; slot: number; pid: number }
  | ClientItem
  | { t: 'answer'; id: number; v?: unknown; e?: string }
  /** After this, the gateway sends the retiring business worker nothing more. */
  | { t: 'bye-ok' };

export function encode(message: PeerToGateway | GatewayToPeer): string {
  return `${JSON.stringify(message)}\n`;
}

/** Splits a utf8 stream into lines and parses each; a line that is not a message ends the stream. */
export class LineReader<T extends { t: string }> {
  private readonly lines: LineFramer;

  constructor(onMessage: (message: T) => void, onGarbage: (line: string) => void) {
    this.lines = new LineFramer(
      (line) => {
        const message = parseObjectLine(line);
        if (message === null || typeof message.t !== 'string') return false;
        onMessage(message as unknown as T);
      },
      { onBroken: (_reason, line) => onGarbage(line) },
    );
  }

  push(chunk: string): void {
    this.lines.push(chunk);
  }
}
