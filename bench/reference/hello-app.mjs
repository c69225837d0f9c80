// The app every throughput target serves: drover (as its `app` module), the bare node:cluster
// primary and the single process all import this same file from the bench's temp project, so
// the only difference between them is what sits around it.
const BODY = 'hello world\n';
const LENGTH = String(Buffer.byteLength(BODY));

export default function hello(req, res) {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': LENGTH });
  res.end(BODY);
}
