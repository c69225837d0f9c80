// CLI ⇄ master messages over the control socket: one JSON object per line.
import type { SerializedError } from '../errors/index.js';
import { isTagged, type Tagged } from './envelope.js';

export type StopMode = 'graceful' | 'wait' | 'force' | 'fast';

export type ControlRequest = Tagged<
  {
    id: number;
    /**
     * Epoch ms by which the master must have read the request, or it drops it unanswered
     * (DROVER_ERR_REQUEST_EXPIRED): a CLI that gave up on a stopped master must not see its
     * reload or stop run when the master resumes.
     */
    deadline?: number;
  } & (
    | { type: 'ping' }
    | { type: 'status' }
    | { type: 'connections' }
    | { type: 'reopen-logs' }
    | { type: 'reload' }
    | { type: 'scale'; role: string | null; target: { set: number } | { delta: number } }
    | { type: 'stop'; mode: StopMode }
  )
>;

export type ControlResponse = Tagged<
  { id: number } & ({ type: 'result'; ok: true; data: unknown } | { type: 'result'; ok: false; error: SerializedError })
>;

export function parseControlLine<T>(line: string): T | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  return isTagged(value) && typeof (value as { id?: unknown }).id === 'number' ? (value as T) : null;
}
