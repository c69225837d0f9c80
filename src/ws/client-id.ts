// Client ids name the gateway that holds the connection, so a push to one client goes to one
// gateway: "<gateway slot>-<gateway boot id>-<sequence>", e.g. "2-m3x9q1k7-1f". The boot id
// keeps ids unique when a crashed gateway is respawned in the same slot.

export function clientIdFactory(slot: number): (n: number) => string {
  const prefix = `${slot}-${Date.now().toString(36)}${(process.pid % 1296).toString(36)}-`;
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
