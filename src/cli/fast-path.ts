// The argv forms that skip yargs: `<service> status|connections` with the options scripts and
// monitors pass (`--json`, `--root DIR` / `--root=DIR`, and for status `-d` / `--watch` / `-w`),
// in any order. Importing yargs costs about as much as a whole `node -e 0` (measured: status
// --root 140 ms through yargs, 70 ms without), and status is what gets called in a loop.
//
// Anything else, or anything unusual in these forms (an unknown flag, a flag given twice, a
// missing value, `--`), returns null and goes through the full parser, which explains the
// mistake. What this returns must equal what parse.ts returns for the same argv: a unit test
// compares the two on every form.

export interface FastArgs {
  service: string;
  command: 'status' | 'connections';
  root: string | undefined;
  options: Record<string, unknown>;
}

const SERVICE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Boolean flags each fast command takes, by spelling → option name. */
const FLAGS: Record<FastArgs['command'], Record<string, string>> = {
  status: { '--json': 'json', '--watch': 'watch', '-w': 'watch', '--daemon': 'daemon', '-d': 'daemon' },
  connections: { '--json': 'json' },
};

export function parseFastPath(argv: readonly string[]): FastArgs | null {
  const positionals: string[] = [];
  const flags: string[] = [];
  let root: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--root' || arg.startsWith('--root=')) {
      const value = arg === '--root' ? argv[++i] : arg.slice('--root='.length);
      if (root !== undefined || value === undefined || value === '' || value.startsWith('-')) return null;
      root = value;
    } else if (arg.startsWith('-')) flags.push(arg);
    else positionals.push(arg);
  }
  if (positionals.length !== 2) return null;
  const [service, command] = positionals as [string, string];
  if (!SERVICE.test(service) || (command !== 'status' && command !== 'connections')) return null;
  const options: Record<string, unknown> = {};
  for (const flag of flags) {
    const name = FLAGS[command][flag];
    if (name === undefined || name in options) return null;
    options[name] = true;
  }
  // Same rule as the full parser: status -d means watch.
  if (options.daemon) options.watch = true;
  return { service, command, root, options };
}
