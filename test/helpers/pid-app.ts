// A request listener for scale and metrics scenarios: says which worker answered (x-worker-pid)
// and, on /block?ms=N, blocks its event loop for N ms (a busy worker, on purpose).
export const PID_APP = `
export default function app(req, res) {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/block') {
    const until = Date.now() + Number(url.searchParams.get('ms') || 1000);
    while (Date.now() < until);
  }
  res.setHeader('x-worker-pid', String(process.pid));
  res.end('ok');
}
`;
