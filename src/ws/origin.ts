// allowedOrigins, checked at the upgrade. Browsers always send Origin with a WebSocket
// handshake; the check keeps other sites' pages from opening connections with the user's
// cookies. A request without Origin is not from a browser (and could claim any Origin it
// liked), so it passes. Entries: "https://app.example.com", "https://*.example.com", "*".

export function originAllowed(origin: string | undefined, allowed: readonly string[] | null): boolean {
  if (allowed === null || origin === undefined) return true;
  const given = normalize(origin);
  for (const entry of allowed) {
    if (entry === '*') return true;
    const wanted = normalize(entry);
    if (wanted === given) return true;
    const star = wanted.indexOf('://*.');
    if (star !== -1) {
      const scheme = wanted.slice(0, star + 3);
      const suffix = wanted.slice(star + 4); // ".example.com[:port]"
      if (given.startsWith(scheme) && given.endsWith(suffix) && given.length > scheme.length + suffix.length) return true;
    }
  }
  return false;
}

/** Lower case, no trailing slash, no default port ("HTTPS://A.com:443/" → "https://a.com"). */
function normalize(origin: string): string {
  const trimmed = origin.trim().toLowerCase().replace(/\/+$/, '');
  if (trimmed.includes('*')) return trimmed;
  try {
    const url = new URL(trimmed);
    return url.origin === 'null' ? trimmed : url.origin;
  } catch {
    return trimmed;
  }
}
