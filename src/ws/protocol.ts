// Gateway ⇄ peer messages (a peer is a business worker or a push client) over a gateway's
// local socket: one JSON object per line, a discriminated union on `t`. The socket is private
// (0600) and never carries a client's frame unwrapped: a client's text travels as a string
// field, so nothing a client sends can pass for one of these.
import { LineFramer, parseObjectLine } from '../local/lines.js';
import { PROTO } from '../protocol/envelope.js';
import type { OpName } from './operations.js';

export type { OpArgs, OpName, OpResult, WireData } from './operations.js';

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
  | { t: 'bye' }
  /** A business worker passes on the business slots the master announced (scale, reload). */
  | { t: 'slots'; slots: number[] };

/** What a gateway hands a business worker for one client, in the client's order. */
export type ClientItem =
  /** h: the JSON text of the client's Handshake, as its gateway keeps it. */
  | { t: 'open'; c: string; h: string; s: string | null }
  | { t: 'msg'; c: string; d: string; s: string | null }
  | { t: 'close'; c: string; code: number; reason: string; h: string; s: string | null; uid: string | null };

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
