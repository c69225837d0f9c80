// What clients receive: the seed's reply envelope {"type", "data", "path", "time"}; errors
// are {"type": "error", "data": {"code", "message"}} in the same envelope. `time` is Unix
// time in seconds, as PHP's time() gave it in the seed.

export function envelope(type: string, data: unknown, path: string | null): string {
  return JSON.stringify({ type, data, path, time: Math.floor(Date.now() / 1000) });
}

export function errorReply(code: number, message: string, path: string | null = null): string {
  return envelope('error', { code, message }, path);
}
