#!/usr/bin/env node
// argv → command, and the exit code.
//
// `status` is what scripts and monitors call in a loop, so it must stay close to `node -e 0`:
// `<service> status|connections` with the options users pass skips yargs (60 ms to import) and
// loads only its own command (cli/fast-path.ts). The build bundles this file and the fast
// path's modules into one dist/cli.js (scripts/bundle.mjs: the ESM loader costs about as much
// per module as the command's own work), a CommonJS file: an ES module entry alone makes node
// load its ESM loader and what that needs (fs/promises, streams, readline), 14M of `status`'s
// instructions. Hence no top-level await here. Everything else, --help included, goes through
// the full parser in cli/main.ts, which stays outside the bundle, is imported as an ES module,
// and prints its own errors.
import { surviveClosedStdout } from './cli/closed-stdout.js';
import { parseFastPath, type FastArgs } from './cli/fast-path.js';
import { reportError } from './cli/print-error.js';
import { projectRoot } from './core/paths.js';

const argv = process.argv.slice(2);
const fast = parseFastPath(argv);
let settled = false;
const done = (code: number) => {
  settled = true;
  process.exitCode = code;
};
(fast ? runFastPath(fast) : import('./cli/main.js').then((cli) => cli.runCommandLine(argv))).then(done, (error: unknown) => done(reportError(error)));
// What an unsettled top-level await did in an ES module entry: a command whose promise can no
// longer settle (nothing left to wait on) must not pass for a success. 'beforeExit' comes only
// when the event loop runs dry, never on process.exit(), which commands call with their code.
process.on('beforeExit', () => {
  if (!settled) process.exitCode = 13;
});

async function runFastPath({ command, root, service, options }: FastArgs): Promise<number> {
  surviveClosedStdout({ endless: options.watch === true });
  try {
    const run = command === 'status' ? (await import('./cli/status.js')).status : (await import('./cli/connections.js')).connections;
    return await run({ root: projectRoot(root), service, options });
  } catch (error) {
    return reportError(error);
  }
}
