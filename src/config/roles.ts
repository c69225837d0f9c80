// Which worker roles a service has and which of them a reload replaces: vocabulary that the
// arbiter, the monitor and the status share, so it lives below all of them.
import type { ServiceConfig } from './types.js';

/** WebSocket gateways hold the client connections: a reload replaces only business workers. */
export function reloadableRole(config: ServiceConfig, role: string): boolean {
  return !(config.kind === 'ws' && role === 'gateway');
}
