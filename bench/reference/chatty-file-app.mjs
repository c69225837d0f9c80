// The chatty app writing its line straight to a file, each worker appending on its own
// descriptor (O_APPEND, synchronous, as console.log to a file is): the other design, "workers
// write directly", against which drover's master-carried log is measured.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import hello from './hello-app.mjs';

const fd = fs.openSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'bare-direct.log'), 'a');
let served = 0;

export default function chattyToFile(req, res) {
  served += 1;
  fs.writeSync(fd, `${new Date().toISOString()} ${req.method} ${req.url} 200 served=${served} pid=${process.pid} ua=${req.headers['user-agent'] ?? '-'}\n`);
  hello(req, res);
}
