// The request-target of a request line, read without trusting it. `new URL(target, base)`
// throws on targets such as "//", "//[" or "//%" (they parse as a scheme-relative URL with a
// broken host), so the target is always appended to an origin we build, never resolved
// against it.
import { ClientError } from './client-error.js';

// RFC 3986 host: a reg-name or IPv4 (unreserved / pct-encoded / sub-delims) or an IP literal
// in brackets, then an optional port. No userinfo ("x@y"), no spaces, no slashes.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{1,5})?$/;

/** The absolute URL of a request, or a ClientError (400) when none can be built. */
export function requestUrl(rawTarget: string | undefined, hostHeader: string | undefined, scheme: 'http' | 'https'): URL {
  const host = hostHeader ?? 'localhost';
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
  return url;
}

/** The path and query of an origin-form target, parsed the same way, for the convention router. */
export function requestPath(rawTarget: string | undefined): URL {
  return requestUrl(rawTarget, 'localhost', 'http');
}
