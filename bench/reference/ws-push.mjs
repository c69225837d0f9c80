#!/usr/bin/env node
// drover's side of the broadcast: a script on the host that pushes through the public API,
// `import { gateway } from 'drover'`, as an application's cron job or HTTP code would. The
// harness copies it into the WebSocket project's root (so that 'drover' resolves through the
// project's node_modules and the gateways' sockets are found under its pidfiles/), forks it
// there and drives it over IPC:
//   → { type: 'count', seq }               ← { type: 'count', seq, clients }      (also connects)
//   → { type: 'sendToAll', seq, data }     ← { type: 'sendToAll', seq, t0Ms, t1Ms, sent }
// t0Ms is taken right before `gateway.sendToAll(data)`, t1Ms when its promise resolved (every
// gateway answered); both are CLOCK_MONOTONIC milliseconds (process.hrtime).
import { gateway } from 'drover';

const nowMs = () => Number(process.hrtime.bigint() / 1000n) / 1000;

process.on('message', async (m) => {
  try {
    if (m?.type === 'count') {
      process.send({ type: 'count', seq: m.seq, clients: await gateway.getClientCount() });
    } else if (m?.type === 'sendToAll') {
      const t0Ms = nowMs();
      const sent = await gateway.sendToAll(m.data);
      process.send({ type: 'sendToAll', seq: m.seq, t0Ms, t1Ms: nowMs(), sent });
    }
  } catch (error) {
    process.send({ type: m.type, seq: m.seq, error: String(error.message ?? error) });
  }
});
process.on('disconnect', async () => {
  await gateway.close().catch(() => {});
  process.exit(0);
});
process.send({ type: 'ready', pid: process.pid });
