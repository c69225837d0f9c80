// One WebSocket frame, built once, for a push to many clients. ws frames every send() again:
// a header Buffer and an options object per socket, then cork, two writes, uncork and a
// writev. A pushed frame is the same bytes for every recipient (server frames are never
// masked, and the gateway has compression off), so the gateway frames it once with ws's own
// framer (Sender.frame, public for exactly this use, ws#1016) and writes the one Buffer to
// each client's socket: a single write() per client.
import * as ws from 'ws';

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}

// ws exports Sender (WebSocket.Sender in CommonJS, a named export in ESM); @types/ws does not declare it.
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;

/** The complete, unmasked, uncompressed frame of one message: header and payload in one Buffer. */
export function serverFrame(payload: Buffer, binary: boolean): Buffer {
  const parts = Sender.frame(payload, { fin: true, opcode: binary ? OPCODE_BINARY : OPCODE_TEXT, mask: false, readOnly: false, rsv1: false });
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
