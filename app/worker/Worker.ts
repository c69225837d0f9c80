// The `worker` module's core file: its hooks run in every worker of the services concerned.
import type { WorkerContext, WsCloseContext, WsConnectContext } from 'drover';

export function onWorkerStart(worker: WorkerContext): void {
  if (worker.debug) console.log(`[${worker.service} worker ${worker.workerId}] started (pid ${worker.pid})`);
}

export function onWorkerStop(worker: WorkerContext): void {
  if (worker.debug) console.log(`[${worker.service} worker ${worker.workerId}] stopping (pid ${worker.pid})`);
}

// WebSocket service only (business workers): a client connected, with its own handshake; a
// client's connection closed, after its last message was handled.
export function onWebSocketConnect(ctx: WsConnectContext): void {
  if (ctx.worker.debug) console.log(`[${ctx.worker.service}] client ${ctx.clientId} connected from ${ctx.handshake.remoteAddress}`);
}

export function onWebSocketClose(ctx: WsCloseContext): void {
  if (ctx.worker.debug) console.log(`[${ctx.worker.service}] client ${ctx.clientId} closed (${ctx.code})`);
}
