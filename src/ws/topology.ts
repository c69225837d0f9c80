// Which gateways and business slots a WebSocket service has. The master decides (slots keep
// their ids while `scale` adds and removes gateways, so they are not always 1..g): it passes
// the layout to each business worker at fork (DROVER_WS_TOPOLOGY) and announces every change
// over IPC ('topology'). Without it (a worker started by an older master) the layout is the
// config's: gateways 1..g, business workers g+1..g+b, as planSlots numbers a fresh start.
import type { WsServiceConfig } from '../config/types.js';
import type { Topology } from '../worker/service.js';

export function topologyFromEnv(env: NodeJS.ProcessEnv, config: WsServiceConfig): Topology {
  const parsed = parseTopology(env.DROVER_WS_TOPOLOGY);
  if (parsed) return parsed;
  const g = config.gateway.count;
  return {
    gateways: Array.from({ length: g }, (_, i) => i + 1),
    business: Array.from({ length: config.business.count }, (_, i) => g + 1 + i),
  };
}

function parseTopology(text: string | undefined): Topology | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Topology>;
    if (isSlotList(value.gateways) && isSlotList(value.business)) return { gateways: value.gateways, business: value.business };
  } catch {
    // not ours: fall back to the config's layout
  }
  return null;
}

function isSlotList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => Number.isInteger(n) && n > 0);
}
