// Serves an app of the fetch kind ({ fetch(Request) → Response }) from Node's http server,
// and writes a web Response to a ServerResponse (also used for actions that return one).
// Both bodies stream with backpressure (toWeb/fromWeb pull only what the other side takes),
// and request.signal aborts when the client goes away before the response has been sent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { requestUrl } from './request-target.js';

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export function toWebRequest(req: IncomingMessage, signal?: AbortSignal): Request {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const url = requestUrl(req.url, req.headers.host, scheme);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    signal,
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
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res);
  } catch (error) {
    // The client went away mid-body: pipeline has cancelled the app's stream; nothing to answer.
    if (res.destroyed && !res.writableFinished) return;
    throw error;
  }
}

export function fetchListener(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new DOMException('the client closed the connection', 'AbortError'));
    };
    res.once('close', onClose);
    let response: Response;
    try {
      response = await handler(toWebRequest(req, controller.signal));
    } catch (error) {
      // The app gave up because request.signal told it the client had gone: not a failure.
      if (controller.signal.aborted && res.destroyed) return;
      throw error;
    }
    if (res.destroyed) return void response.body?.cancel().catch(() => undefined);
    await sendWebResponse(res, response);
  };
}
