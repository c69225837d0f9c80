// The WebSocket service (GatewayWorker model: gateways hold connections, business workers run
// controllers). Validated today; the service itself arrives with the WebSocket issue.
/** @type {import('drover').ServiceOptions} */
export default {
  listen: 'ws://0.0.0.0:2828',
  gateway: { count: 2 },
  business: { count: 2 },
  heartbeat: { interval: 50_000, timeout: 120_000 },
  maxPayload: 1024 * 1024,
};
