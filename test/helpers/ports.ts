// A free ephemeral port on 127.0.0.1: listen on 0, read the port, close. Never 8000 or 2828
// (the defaults of the http and ws services), so a developer's running service is left alone.
import net from 'node:net';

const RESERVED = new Set([8000, 2828]);

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    if (!RESERVED.has(port)) return port;
  }
}
