// Signals and control requests only enqueue; the master's loop takes commands one at a time.
// In Node the reason is serialisation: a rolling reload spans many awaits, and a SIGTERM that
// arrives in the middle must wait its turn (or cut the reload short) instead of interleaving.
//
// Policy lives here, and rests on state, never on counts (signals of one kind merge in the
// kernel): one pending reload covers any burst of reload requests; a stop cancels pending
// reloads and merges with a pending stop, keeping the stronger mode.
import type { StopMode } from '../protocol/control-messages.js';
import { droverError } from '../errors/index.js';
import type { ReloadResult, ScaleResult } from '../protocol/status.js';
import type { ScaleTarget } from './scale.js';

export interface Waiter<T> {
  resolve(value: T): void;
  /** True once whoever waits has gone (a CLI that gave up and closed its connection). */
  gone?(): boolean;
}

export type Command =
  | {
      kind: 'reload';
      reason: string;
      waiters: Array<Waiter<ReloadResult>>;
      /** Asked by a signal or the watcher (no waiter): runs whoever else has gone. Set by push(). */
      unattended?: boolean;
    }
  | { kind: 'stop'; mode: StopMode; reason: string; waiters: Array<Waiter<void>> }
  | { kind: 'scale'; role: string | null; target: ScaleTarget; waiters: Array<Waiter<ScaleResult>> }
  | { kind: 'reap' }
  /** A burst of saves has begun (hot reload): fork the replacements while the debounce waits; `next`: the following one of the same burst. */
  | { kind: 'prewarm'; next?: boolean }
  | { kind: 'recycle'; workerId: number; pid: number; reason: string; hung?: boolean };

const STOP_STRENGTH: Record<StopMode, number> = { wait: 0, graceful: 1, fast: 2, force: 3 };

export function strongerStop(a: StopMode, b: StopMode): StopMode {
  return STOP_STRENGTH[b] > STOP_STRENGTH[a] ? b : a;
}

export class CommandQueue {
  private readonly items: Command[] = [];
  private wake: (() => void) | null = null;
  private readonly stopController = new AbortController();
  /** The strongest stop asked for so far; a running stop escalates when this grows. */
  stopMode: StopMode | null = null;
  onStopEscalated: ((mode: StopMode) => void) | null = null;

  /** Aborted as soon as any stop is asked for, so a reload in progress can stop early. */
  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  push(command: Command): void {
    switch (command.kind) {
      case 'reload':
        if (this.stopMode !== null) return cancelReload(command, 'a stop was requested');
        // Signals and the watcher wait for no answer.
        if (command.waiters.length === 0) command.unattended = true;
        if (this.mergeReload(command)) return;
        break;
      case 'scale':
        if (this.stopMode !== null) return cancelScale(command);
        break;
      case 'stop':
        this.pushStop(command);
        return;
      case 'reap':
        if (this.items.some((c) => c.kind === 'reap')) return;
        break;
      case 'prewarm':
        if (this.stopMode !== null || this.items.some((c) => c.kind === 'prewarm' && c.next === command.next)) return;
        break;
      case 'recycle':
        if (this.items.some((c) => c.kind === 'recycle' && c.pid === command.pid)) return;
        break;
    }
    this.items.push(command);
    this.wakeUp();
  }

  async next(): Promise<Command> {
    for (;;) {
      const stop = this.items.findIndex((c) => c.kind === 'stop');
      const index = stop >= 0 ? stop : 0; // a stop jumps the queue
      if (this.items.length > 0) return this.items.splice(index, 1)[0]!;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private mergeReload(command: Extract<Command, { kind: 'reload' }>): boolean {
    const pending = this.items.find((c): c is typeof command => c.kind === 'reload');
    if (!pending) return false;
    pending.waiters.push(...command.waiters);
    pending.unattended = pending.unattended === true || command.unattended === true;
    return true;
  }

  private pushStop(command: Extract<Command, { kind: 'stop' }>): void {
    const previous = this.stopMode;
    this.stopMode = previous === null ? command.mode : strongerStop(previous, command.mode);
    this.stopWaiters.push(...command.waiters);
    for (let i = this.items.length - 1; i >= 0; i--) {
      const c = this.items[i]!;
      if (c.kind !== 'reload' && c.kind !== 'scale') continue;
      this.items.splice(i, 1);
      if (c.kind === 'reload') cancelReload(c, 'a stop was requested');
      else cancelScale(c);
    }
    const pending = this.items.find((c): c is typeof command => c.kind === 'stop');
    if (pending) pending.mode = this.stopMode;
    else if (previous === null) this.items.push({ ...command, mode: this.stopMode, waiters: [] });
    // A stop is already running: a second Ctrl-C or `stop --force` makes it harder.
    else if (this.stopMode !== previous) this.onStopEscalated?.(this.stopMode);
    this.stopController.abort();
    this.wakeUp();
  }

  /** Everyone waiting for the master to stop; the master resolves them just before it exits. */
  readonly stopWaiters: Array<Waiter<void>> = [];

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * A reload only clients asked for, and every one of them has gone (given up on a stopped or
 * busy master): running it now would surprise whoever looks next.
 */
export function isAbandoned(command: Extract<Command, { kind: 'reload' }>): boolean {
  return command.unattended !== true && command.waiters.length > 0 && command.waiters.every((w) => w.gone?.() === true);
}

function cancelReload(command: Extract<Command, { kind: 'reload' }>, why: string): void {
  const result: ReloadResult = {
    ok: false,
    durationMs: 0,
    replaced: [],
    generation: 0,
    error: droverError('DROVER_ERR_RELOAD_FAILED', { cancelled: why }).toJSON(),
  };
  for (const w of command.waiters) w.resolve(result);
}

function cancelScale(command: Extract<Command, { kind: 'scale' }>): void {
  const result: ScaleResult = {
    ok: false,
    role: command.role ?? '',
    from: 0,
    to: 0,
    added: [],
    removed: [],
    durationMs: 0,
    error: droverError('DROVER_ERR_SCALE_REFUSED', { cancelledByStop: true }).toJSON(),
  };
  for (const w of command.waiters) w.resolve(result);
}
