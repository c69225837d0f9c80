// The one place that prints an error: "error: … / hint: … / code: …", then any details.
// An error without a code of ours is drover's own bug: DROVER_ERR_INTERNAL, stack and all.
import { DroverError, droverError } from '../errors/index.js';
import { EXIT } from './context.js';

export function printError(error: unknown): void {
  const e = error instanceof DroverError ? error : droverError('DROVER_ERR_INTERNAL', { failure: (error as Error)?.stack ?? String(error) });
  const lines = [`error: ${e.message}`];
  if (e.hint) lines.push(`  hint: ${e.hint}`);
  lines.push(`  code: ${e.code}`);
  if (e.details) lines.push('', e.details.trimEnd());
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** Prints an error that ended a command; the exit code it means (2 for a usage error). */
export function reportError(error: unknown): number {
  printError(error);
  return (error as { code?: string }).code === 'DROVER_ERR_USAGE' ? EXIT.usage : EXIT.failed;
}
