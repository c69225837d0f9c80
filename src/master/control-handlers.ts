// What the master answers on its control socket. Requests that change workers (reload, stop)
// go through the command queue like signals do, and answer when the loop has done them.
import type { Socket } from 'node:net';
import type { ControlHandler } from '../control/server.js';
import { droverError, LogFileError, type DroverError } from '../errors/index.js';
import type { LogHub } from '../log/hub.js';
import type { ControlRequest } from '../protocol/control-messages.js';
import type { ReloadResult, ScaleResult } from '../protocol/status.js';
import type { Arbiter } from './arbiter.js';
import type { CommandQueue } from './command-queue.js';
import { buildConnections, buildStatus, type MasterInfo } from './status-report.js';

type Handlers = { [T in ControlRequest['type']]: (request: Extract<ControlRequest, { type: T }>, socket: Socket) => Promise<unknown> };

export function controlHandlers(arbiter: Arbiter, queue: CommandQueue, info: MasterInfo, logs: LogHub): ControlHandler {
  const handlers: Handlers = {
    ping: async () => ({ pid: process.pid, service: arbiter.config.service, state: arbiter.state }),
    status: () => buildStatus(arbiter, info, logs),
    connections: () => buildConnections(arbiter),
    // Like SIGUSR1, but the caller learns whether it worked: a failed reopen is an error here.
    'reopen-logs': async () => {
      const { destination } = logs.state();
      try {
        await logs.reopen();
      } catch (error) {
        throw new LogFileError(destination, error as NodeJS.ErrnoException);
      }
      logs.log('log reopened (reopen-logs)');
      return { destination };
    },
    reload: (_request, socket) =>
      new Promise<ReloadResult>((resolve) => queue.push({ kind: 'reload', reason: 'control', waiters: [{ resolve, gone: () => socket.destroyed }] })),
    // Refused during a reload rather than queued behind it: the reload sets the counts from the
    // config, and a scale run after it would undo what the operator reloaded for without a word.
    scale: async (request) =>
      arbiter.state === 'reloading'
        ? scaleRefused(request.role, droverError('DROVER_ERR_SCALE_REFUSED', { service: arbiter.config.service, state: arbiter.state }))
        : new Promise<ScaleResult>((resolve) => queue.push({ kind: 'scale', role: request.role, target: request.target, waiters: [{ resolve }] })),
    stop: (request) =>
      new Promise<{ pid: number }>((resolve) =>
        queue.push({ kind: 'stop', mode: request.mode, reason: `control (${request.mode})`, waiters: [{ resolve: () => resolve({ pid: process.pid }) }] }),
      ),
  };
  return (request, socket) => (handlers[request.type] as (r: ControlRequest, s: Socket) => Promise<unknown>)(request, socket);
}

function scaleRefused(role: string | null, error: DroverError): ScaleResult {
  return { ok: false, role: role ?? '', from: 0, to: 0, added: [], removed: [], durationMs: 0, error: error.toJSON() };
}
