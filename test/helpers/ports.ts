// A free port on 127.0.0.1 for a test's server. Never 8000 or 2828 (the defaults of the http
// and ws services), so a developer's running service is left alone.
//
// Why not "listen on 0": the kernel hands out listening ports from the same ephemeral range
// (ip_local_port_range, 32768–60999 on Linux) that it uses for the local end of outgoing
// connections, and the load tests running beside this one open thousands of those. A port that
// was free when we closed our probe could then be the local port of some client's socket by the
// time drover binds it (seen in CI as a PORT_IN_USE at start). So ports are drawn at random
// below that range, checked free by binding, and never handed out twice by one test process.
import net from 'node:net';

const RESERVED = new Set([8000, 2828]);
const LOW = 20_000;
const HIGH = 32_767;
const given = new Set<number>();

export async function freePort(): Promise<number> {
  for (;;) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (RESERVED.has(port) || given.has(port)) continue;
    if (await canListen(port)) {
      given.add(port);
      return port;
    }
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
