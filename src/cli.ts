#!/usr/bin/env node
// argv → command, and the exit code.
//
// `status` is what scripts and monitors call in a loop, so it must stay close to `node -e 0`:
// `<service> status|connections` with the options users pass skips yargs (60 ms to import) and
// loads only its own command (cli/fast-path.ts). The build bundles this file and the fast
// path's modules into one dist/cli.js (scripts/bundle.mjs: the ESM loader costs about as much
// per module as the command's own work). Everything else, --help included, goes through the
// full parser in cli/main.ts, which stays outside the bundle and prints its own errors.
import { surviveClosedStdout } from './cli/closed-stdout.js';
import { parseFastPath, type FastArgs } from './cli/fast-path.js';
import { reportError } from './cli/print-error.js';
import { projectRoot } from './paths.js';

const argv = process.argv.slice(2);
const fast = parseFastPath(argv);
process.exitCode = fast ? await runFastPath(fast) : await (await import('./cli/main.js')).runCommandLine(argv);

async function runFastPath({ command, root, service, options }: FastArgs): Promise<number> {
  surviveClosedStdout({ endless: options.watch === true });
  try {
    const run = command === 'status' ? (await import('./cli/status.js')).status : (await import('./cli/connections.js')).connections;
    return await run({ root: projectRoot(root), service, options });
  } catch (error) {
    return reportError(error);
  }
}
