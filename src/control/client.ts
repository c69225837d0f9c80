// The CLI's side of the control socket. Kept free of heavy imports: `status` loads this and
// little else.
import net from 'node:net';
import { droverError, reviveError, NotRunningError } from '../errors/index.js';
import { LineFramer } from '../local/lines.js';
import { PROTO } from '../protocol/envelope.js';
import { parseControlLine, type ControlRequest, type ControlResponse } from '../protocol/control-messages.js';

type RequestBody = ControlRequest extends infer R ? (R extends ControlRequest ? Omit<R, 'proto' | 'id' | 'deadline'> : never) : never;

/**
 * A request the master has not read within this is dropped by the master. Long requests
 * (reload, stop) still wait for their answer as long as the work takes: the deadline is on
 * taking the request, not on finishing it.
 */
export const TAKE_WITHIN_MS = 5000;

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, (response: ControlResponse) => void>();
  private closedResolve!: () => void;
  /** Resolves when the master closes the connection (it does so just before it exits). */
  readonly closed = new Promise<void>((resolve) => (this.closedResolve = resolve));

  private constructor(
    private readonly socket: net.Socket,
    private readonly service: string,
    private readonly path: string,
  ) {
    socket.setEncoding('utf8');
    const lines = new LineFramer((line) => this.socketOnLine(line));
    socket.on('data', (chunk: string) => lines.push(chunk));
    socket.on('close', () => this.socketOnClose());
    socket.on('error', () => undefined); // 'close' follows and settles everything
  }

  /** Connects, or throws NotRunningError when no master listens on `path`. */
  static async connect(service: string, path: string, timeoutMs = 2000): Promise<ControlClient> {
    const socket = net.connect(path);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('timeout')), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new NotRunningError(service, path, error));
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve();
      });
    });
    return new ControlClient(socket, service, path);
  }

  /**
   * Sends one request and waits for its answer; with `timeoutMs`, a master that does not
   * answer in time is a DROVER_ERR_CONTROL_TIMEOUT (the caller adds the pid and a hint).
   */
  async request<T>(body: RequestBody, timeoutMs?: number): Promise<T> {
    const id = this.nextId++;
    const deadline = Date.now() + Math.min(timeoutMs ?? TAKE_WITHIN_MS, TAKE_WITHIN_MS);
    const request = { proto: PROTO, id, deadline, ...body } as ControlRequest;
    const response = await new Promise<ControlResponse>((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? null
          : setTimeout(() => {
              this.pending.delete(id);
              reject(droverError('DROVER_ERR_CONTROL_TIMEOUT', { service: this.service, pid: null, socket: this.path, what: `did not answer "${body.type}" within ${timeoutMs} ms` }));
            }, timeoutMs);
      this.pending.set(id, (r) => {
        if (timer) clearTimeout(timer);
        resolve(r);
      });
      this.socket.write(`${JSON.stringify(request)}\n`);
    });
    if (!response.ok) throw reviveError(response.error);
    return response.data as T;
  }

  /** Done with the master: destroy, not end(), so a master that stopped answering cannot hold us. */
  close(): void {
    this.socket.destroy();
  }

  private socketOnLine(line: string): void {
    const response = parseControlLine<ControlResponse>(line);
    if (!response) return;
    this.pending.get(response.id)?.(response);
    this.pending.delete(response.id);
  }

  private socketOnClose(): void {
    for (const [id, settle] of this.pending) {
      settle({
        proto: PROTO,
        id,
        type: 'result',
        ok: false,
        error: droverError('DROVER_ERR_CONTROL_CLOSED', {}).toJSON(),
      });
    }
    this.pending.clear();
    this.closedResolve();
  }
}
