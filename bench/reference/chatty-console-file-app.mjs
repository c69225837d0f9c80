// The chatty app itself (console.log, one line per request), its worker writing the log file
// directly: what drover would cost if workers wrote the log themselves instead of the master.
// console.log's stream is a file here, written synchronously per call (as Node writes stdout
// when it is a file, `node app.js >> file`), and each line carries the prefix drover's lines
// carry (time, service, worker id, pid, stream). Unlike chatty-file-app.mjs, the app's own
// code is the same as in drover's row (console.log, not a hand-built fs.writeSync), so the
// ratio compares only where the line goes.
import cluster from 'node:cluster';
import { Console } from 'node:console';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import chatty from './chatty-app.mjs';

const fd = fs.openSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'bare-console-direct.log'), 'a');
const who = `[chatty worker ${cluster.worker?.id ?? 0} pid ${process.pid} stdout] `;
// A Writable that writes synchronously, like the SyncWriteStream Node gives stdout on a file.
const stdout = new Writable({
  decodeStrings: false,
  write(text, _encoding, done) {
    fs.writeSync(fd, `${new Date().toISOString()} ${who}${text}`);
    done();
  },
});
globalThis.console = new Console({ stdout, stderr: stdout });

export default chatty;
