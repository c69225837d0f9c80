// The hello-world app, plus one log line per request (about 100 bytes, like an access log):
// the "chatty app" of the logs scenario. drover carries the line through its master into the
// log file; the bare cluster's workers write it to /dev/null.
import hello from './hello-app.mjs';

let served = 0;

export default function chatty(req, res) {
  served += 1;
  console.log(`${req.method} ${req.url} 200 served=${served} pid=${process.pid} ua=${req.headers['user-agent'] ?? '-'}`);
  hello(req, res);
}
