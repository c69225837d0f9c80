// The request-target of a request line, read without trusting it. `new URL(target, base)`
// throws on targets such as "//", "//[" or "//%" (they parse as a scheme-relative URL with a
// broken host), so the target is always appended to an origin we build, never resolved
// against it.
import { ClientError } from './client-error.js';

// RFC 3986 host: a reg-name or IPv4 (unreserved / pct-encoded / sub-delims) or an IP literal
// in brackets, then an optional port. No userinfo ("x@y"), no spaces, no slashes.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{1,5})?$/;

/** The last Host value found valid: clients send the same one again and again. */
let lastValidHost = '';

/**
 * RFC 9112 §3.2: a server MUST answer 400 to a request with more than one Host header or a
 * Host that is not a valid authority (Node's parser takes both as they are). Node itself
 * already refuses an HTTP/1.1 request with none. Runs on every request, so it allocates
 * nothing: the name is compared by char code, and a value equal to the last valid one is not
 * matched again.
 */
export function hasBadHost(rawHeaders: string[]): boolean {
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!isHostName(rawHeaders[i]!)) continue;
    if (++seen > 1) return true;
    const value = rawHeaders[i + 1]!;
    if (value === lastValidHost || value === '') continue;
    if (!HOST.test(value)) return true;
    lastValidHost = value;
  }
  return false;
}

/** "host" in any case, without lower-casing a copy (a | 0x20 folds ASCII letters only). */
function isHostName(name: string): boolean {
  return (
    name.length === 4 &&
    (name.charCodeAt(0) | 0x20) === 0x68 &&
    (name.charCodeAt(1) | 0x20) === 0x6f &&
    (name.charCodeAt(2) | 0x20) === 0x73 &&
    (name.charCodeAt(3) | 0x20) === 0x74
  );
}

/** The absolute URL of a request, or a ClientError (400) when none can be built. */
export function requestUrl(rawTarget: string | undefined, hostHeader: string | undefined, scheme: 'http' | 'https'): URL {
  const host = hostHeader || 'localhost';
  if (!HOST.test(host)) throw new ClientError(400, 'bad Host header');
  const target = rawTarget ?? '/';
  let url: URL;
  try {
    if (target.startsWith('/')) url = new URL(`${scheme}://${host}${target}`);
    // absolute-form (a proxy-style request line): its own authority wins, as RFC 9112 §3.2.2 says.
    else if (/^https?:\/\//i.test(target)) url = new URL(target);
    else throw new Error('not origin-form');
  } catch {
    throw new ClientError(400, 'bad request-target');
  }
  // RFC 9110 §4.2.4: userinfo in an http(s) target is invalid (and `new Request` throws on it).
  if (url.username || url.password) throw new ClientError(400, 'bad request-target');
  return url;
}

/** The path and query of an origin-form target, parsed the same way, for the convention router. */
export function requestPath(rawTarget: string | undefined): URL {
  return requestUrl(rawTarget, 'localhost', 'http');
}
