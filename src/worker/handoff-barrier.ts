// Lets a worker that closed its listener exit without losing a connection in round-robin mode.
//
// In cluster's round-robin mode the master accepts every connection and sends it to a worker in
// a 'newconn' message; it closes or re-queues its own copy only when that worker acknowledges
// (lib/internal/cluster/round_robin_handle.js, handoff()). Closing a listener in a worker sends
// cluster's 'close', which takes the worker out of the master's rotation, but 'newconn' messages
// the master sent before it read that 'close' are already on the way. A worker that exits before
// reading them never acknowledges them, and nothing in cluster ever closes or re-queues those
// sockets: the client waits forever on a connection the master holds, unread (issue 9: 10 of
// 27,071 requests over 24 reloads, every one on a retiring worker that had no connection left
// and so exited at once).
//
// The barrier: after closing its listener the worker sends 'unlistened' and waits for the
// master's answer. The channel is ordered both ways, so the master reads 'unlistened' after
// 'close', and its answer leaves after every 'newconn' it sent before that. By the time the
// answer arrives, cluster in this worker has refused each of them (the listener is gone) and the
// master has handed them to another worker.
import { PROTO } from '../protocol/envelope.js';
import type { WorkerToMaster } from '../protocol/worker-messages.js';

export class HandoffBarrier {
  private settle: (() => void) | null = null;

  /** Call right after the listening handle was closed; resolves once no hand-off is in flight. */
  wait(send: (message: WorkerToMaster) => void): Promise<void> {
    if (!process.connected) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        process.off('disconnect', done);
        this.settle = null;
        resolve();
      };
      this.settle = done;
      // No master, no hand-offs.
      process.once('disconnect', done);
      send({ proto: PROTO, type: 'unlistened' });
    });
  }

  /** The master's 'unlistened-ack'. */
  onAck(): void {
    this.settle?.();
  }
}
