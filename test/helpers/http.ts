// HTTP requests to the service under test, through node:http with no shared agent (each
// request on its own connection, unless an agent is passed), on 127.0.0.1 only.
import http from 'node:http';

export interface HttpResult {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The local port of the connection (to find it in `connections`). */
  localPort: number;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: http.Agent | false;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function request(port: number, path: string, options: HttpOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 10_000,
        signal: options.signal,
      },
      (res) => {
        let body = '';
        const localPort = res.socket.localPort ?? 0;
        res.setEncoding('utf8');
        res.on('data', (s: string) => (body += s));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, body, localPort }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${port}${path} within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** GET a JSON action and parse its body; fails with the body when it is not a 200. */
export async function getJson<T = Record<string, unknown>>(port: number, path: string): Promise<T> {
  const r = await request(port, path);
  if (r.status !== 200) throw new Error(`GET ${path} → ${r.status}: ${r.body}`);
  return JSON.parse(r.body) as T;
}
