// The handshake of one client, captured at the upgrade. The request-target is the client's:
// `//`, `//[` or `//:99999` make `new URL(target, base)` throw (issue 9.1: that throw inside
// handleUpgrade's callback killed the gateway), so it is parsed once here, inside a try, and a
// target that does not parse is refused with 400 before the upgrade.
import type { IncomingMessage } from 'node:http';
import type { Handshake } from './api.js';

/**
 * The query of a request-target, or null when the target does not parse as a URL path (then
 * the upgrade is refused with 400). Targets that parse are read exactly as before.
 */
export function queryOf(target: string): Record<string, string> | null {
  try {
    return Object.fromEntries(new URL(target, 'http://localhost').searchParams);
  } catch {
    return null;
  }
}

/**
 * The handshake to keep for a client, as the JSON text of a Handshake, or null when its
 * request-target must be refused (400). Kept as text because it is only ever sent to business
 * workers for the hooks: one string per client instead of the handshake, query and headers
 * objects and the header strings (issue 14: ~0.4 KiB of live heap per idle client).
 */
export function captureHandshake(req: IncomingMessage): string | null {
  const url = req.url ?? '/';
  const query = queryOf(url);
  if (query === null) return null;
  const handshake: Handshake = {
    url,
    query,
    headers: req.headers,
    remoteAddress: req.socket.remoteAddress ?? '',
    remotePort: req.socket.remotePort ?? 0,
  };
  return JSON.stringify(handshake);
}

/** The peer address in a handshake text, for the connections list and log lines. */
export function peerOf(handshakeText: string): { remoteAddress: string; remotePort: number } {
  const { remoteAddress, remotePort } = JSON.parse(handshakeText) as Handshake;
  return { remoteAddress, remotePort };
}
