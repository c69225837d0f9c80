// The WebSocket service, on GatewayWorker's model: gateway workers hold the client connections
// and are never reloaded; business workers run the controllers and hooks and are. docs/websocket.md
// describes every key; all are optional.
/** @type {import('drover').ServiceOptions} */
export default {
  listen: 'ws://0.0.0.0:2828',
  gateway: { count: 2 },
  business: { count: 2 },
  // The seed's browser snippet sends the text "ping" every 50 s; a client silent for 120 s is closed.
  heartbeat: { interval: 50_000, timeout: 120_000 },
  maxPayload: 1024 * 1024,
  // allowedOrigins: ['https://app.example.com'],
  // tls: { cert: 'cert.pem', key: 'key.pem' },   // with listen: 'wss://0.0.0.0:2828'
};
