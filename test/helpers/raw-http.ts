// Bytes written as they are to a service's port over a plain net.Socket (no HTTP client
// between the test and the parser), and every status line that came back until the server
// closed the connection. The socket is not half-closed: a server sees a client's FIN as the
// end of the conversation and may drop pipelined requests, so the bytes must end with a
// request that says "Connection: close" or with one the server refuses.
import net from 'node:net';

export interface RawExchange {
  /** Status codes of the responses, in order. */
  statuses: number[];
  /** Everything the server sent. */
  text: string;
}

export function sendRaw(port: number, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${timeoutMs} ms; it sent: ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the answer still ends in 'close'
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      resolve({ statuses, text });
    });
  });
}
