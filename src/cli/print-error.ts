// The one place that prints an error: "error: … / hint: … / code: …", then any details.
import { DroverError } from '../errors.js';

export function printError(error: unknown): void {
  if (error instanceof DroverError) {
    const lines = [`error: ${error.message}`];
    if (error.hint) lines.push(`  hint: ${error.hint}`);
    lines.push(`  code: ${error.code}`);
    if (error.details) lines.push('', error.details.trimEnd());
    process.stderr.write(`${lines.join('\n')}\n`);
    return;
  }
  const e = error as Error;
  process.stderr.write(`error: ${e?.stack ?? String(error)}\n  hint: this is a bug in drover; please report it with the output above.\n`);
}
