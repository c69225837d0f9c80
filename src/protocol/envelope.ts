// Every internal message carries this tag. Node routes IPC messages whose `cmd` starts with
// NODE_ to itself, and a client's JSON must never pass for one of ours: anything without the
// tag is not a drover message and is dropped at the edge.
export const PROTO = 'drover/1' as const;

export type Tagged<T> = T & { proto: typeof PROTO };

export function isTagged(value: unknown): value is { proto: typeof PROTO; type: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { proto?: unknown }).proto === PROTO &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}
