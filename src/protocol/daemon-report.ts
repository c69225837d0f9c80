// What a daemonized master tells the CLI that started it (over the fork's IPC channel), then
// it lets go. Shared by both ends: the CLI must not import the master's bootstrap for a type.
import type { SerializedError } from '../errors/index.js';
import type { PROTO } from './envelope.js';

export type DaemonReport =
  | { proto: typeof PROTO; type: 'started'; status: unknown }
  | { proto: typeof PROTO; type: 'start-failed'; error: SerializedError };
