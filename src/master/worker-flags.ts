// Node flags the master adds for one role of worker, before its own flags (so a flag the
// operator gave the master, or put in NODE_OPTIONS or the service's env, wins).

/**
 * WebSocket gateways cap V8's young generation at 2 MiB per semi-space (V8's default grows it
 * to 16 MiB under allocation bursts and keeps it). A gateway's live data is its connections,
 * which all end up in old space; what a burst of handshakes grows the young generation to is
 * then empty capacity held for the life of the process, in every gateway. Measured (issue 14,
 * 5,000 idle clients on one gateway, smaps + v8 space statistics): new space 4.0-4.4 KiB of
 * RSS per client with the default, 0 with this; RSS per client 8.5-9.6 → 5.0-5.1 KiB (one
 * plain `ws` process, default flags: 7.6). Broadcast CPU per recipient and the message round
 * trip's gateway CPU did not change measurably (7.2-8.0 vs 8.2-8.5 µs; 25.1 vs 24.8 µs).
 */
const GATEWAY_FLAGS = ['--max-semi-space-size=2'];

export function roleNodeFlags(role: string, env: Record<string, string | undefined>): string[] {
  if (role !== 'gateway') return [];
  const given = `${process.execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`;
  return /semi[-_]space/.test(given) ? [] : GATEWAY_FLAGS;
}
