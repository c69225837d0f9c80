// The master's control socket: one JSON request per line in, one JSON response per line out.
// Mode 0600: whoever can talk to it can stop the service.
import fs from 'node:fs';
import type net from 'node:net';
import { DroverError, droverError, type SerializedError } from '../errors/index.js';
import { LineFramer } from '../local/lines.js';
import { listenLocalSocket } from '../local/socket.js';
import { PROTO } from '../protocol/envelope.js';
import { parseControlLine, type ControlRequest, type ControlResponse } from '../protocol/control-messages.js';

export type ControlHandler = (request: ControlRequest, socket: net.Socket) => Promise<unknown>;
/** Told about each request dropped because it was read after its deadline. */
export type ExpiredListener = (request: ControlRequest, lateMs: number) => void;

/** Longest line accepted; a status request is a few dozen bytes. */
const MAX_LINE = 64 * 1024;

export class ControlServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly path: string,
    private readonly handler: ControlHandler,
    private readonly onExpired: ExpiredListener | null = null,
  ) {}

  async listen(): Promise<void> {
    this.server = await listenLocalSocket(this.path, 'control socket', (socket) => this.serverOnConnection(socket, this.handler));
  }

  /** Stops answering and removes the socket file; safe to call twice. */
  close(): void {
    if (!this.server?.listening) return;
    this.server.close();
    for (const socket of this.sockets) socket.end();
    if (process.platform !== 'win32') fs.rmSync(this.path, { force: true });
  }

  private serverOnConnection(socket: net.Socket, handler: ControlHandler): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    const lines = new LineFramer(
      (line) => {
        const request = parseControlLine<ControlRequest>(line);
        if (!request) return false;
        void answer(socket, request, handler, this.onExpired);
      },
      { maxLine: MAX_LINE, onBroken: () => socket.destroy() },
    );
    socket.on('data', (chunk: string) => lines.push(chunk));
  }
}

async function answer(socket: net.Socket, request: ControlRequest, handler: ControlHandler, onExpired: ExpiredListener | null): Promise<void> {
  let response: ControlResponse;
  // Read too late (this master was stopped or busy): its client has given up; acting on it
  // now would be a reload or a stop nobody is waiting for.
  if (typeof request.deadline === 'number' && Date.now() > request.deadline) {
    const late = Date.now() - request.deadline;
    response = { proto: PROTO, id: request.id, type: 'result', ok: false, error: droverError('DROVER_ERR_REQUEST_EXPIRED', { request: request.type, lateMs: late }).toJSON() };
    onExpired?.(request, late);
    if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
    return;
  }
  try {
    const data = await handler(request, socket);
    response = { proto: PROTO, id: request.id, type: 'result', ok: true, data: data ?? null };
  } catch (error) {
    response = { proto: PROTO, id: request.id, type: 'result', ok: false, error: serialize(error, request.type) };
  }
  if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
}

/**
 * Every failure a user can cause is a DroverError with its own code by the time it reaches a
 * handler; anything else thrown while answering is drover's own fault: DROVER_ERR_INTERNAL,
 * with its stack (DROVER_ERR_CONTROL is kept for a code this CLI does not know).
 */
function serialize(error: unknown, request: string): SerializedError {
  if (error instanceof DroverError) return error.toJSON();
  const failure = error instanceof Error ? error.message : String(error);
  return droverError('DROVER_ERR_INTERNAL', { request, failure }, { details: error instanceof Error ? error.stack : undefined }).toJSON();
}
