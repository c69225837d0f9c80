// Serves an app of the fetch kind ({ fetch(Request) → Response }) from Node's http server,
// and writes a web Response to a ServerResponse (also used for actions that return one).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export function toWebRequest(req: IncomingMessage): Request {
  const host = req.headers.host ?? 'localhost';
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`${scheme}://${host}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    // Required by undici for a streamed request body.
    duplex: 'half',
  } as RequestInit);
}

export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue;
    res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (!response.body) return void res.end();
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res);
}

export function fetchListener(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => sendWebResponse(res, await handler(toWebRequest(req)));
}
