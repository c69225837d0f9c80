// Client ids name the gateway that holds the connection, so a push to one client goes to one
// gateway: "<gateway slot>-<gateway boot id>-<sequence>", e.g. "2-m3x9q1k7a8c2f-1f". The boot id
// (the gateway's start time, pid and a random part) keeps ids unique when a crashed gateway is
// respawned in the same slot, and across hosts when pushes cross them through Redis: there a
// gateway of the same slot on another host holds its own, different ids.
import { randomInt } from 'node:crypto';

/** The prefix every id of this gateway boot starts with (used to tell its own ids from others'). */
export function clientIdPrefix(slot: number): string {
  const random = randomInt(36 ** 5).toString(36).padStart(5, '0');
  return `${slot}-${Date.now().toString(36)}${(process.pid % 1296).toString(36)}${random}-`;
}

export function clientIdFactory(slot: number, prefix = clientIdPrefix(slot)): (n: number) => string {
  return (n) => prefix + n.toString(36);
}

/** The gateway slot of a client id, or null when it is not one of ours. */
export function gatewayOf(clientId: unknown): number | null {
  if (typeof clientId !== 'string') return null;
  const dash = clientId.indexOf('-');
  if (dash < 1 || dash > 4) return null;
  const slot = Number(clientId.slice(0, dash));
  return Number.isInteger(slot) && slot > 0 ? slot : null;
}
