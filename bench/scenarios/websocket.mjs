// Scenario 6 (issue 6 item 6), a placeholder until it is written (when this file was written
// the WebSocket service was just landing). It is to measure, each against a
// reference in the same run:
//   - idle RSS per connection in a gateway (target ≤ 8 KiB) vs one plain `ws` process;
//   - a 100-byte sendToAll to 10,000 clients over 2 gateways, until every client received it,
//     vs a single-process `ws` broadcast to the same count;
//   - message round-trip p50/p99 gateway → business → gateway vs a plain `ws` echo.
// Add its servers as targets in lib/context.mjs and return ratios like the other scenarios.
export const id = 'websocket';
export const title = 'WebSocket gateway memory, broadcast and round trip';

export async function run() {
  return { title, skipped: 'not written yet (issue 6 item 6): a placeholder for the WebSocket scenario' };
}
