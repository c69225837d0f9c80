// Scenario 3: the wall time of `node dist/cli.js http status` (the human table; the service is
// the 2-worker hello-world drover, idle) against `node -e 0`, the floor of any node CLI. Runs
// are interleaved pairs (node -e 0, then status; order swapped every pair) after two untimed
// runs of each to warm the file cache; the headline is the median of the per-pair ratios.
// `status --json` is timed too (same pairing), as monitors call that one.
import { fmt, range, ratio, targetText } from '../lib/report.mjs';
import { cleanEnv, run as runCommand } from '../lib/procs.mjs';
import { cliPath } from '../lib/targets.mjs';

export const id = 'status-time';
export const title = '`drover http status` wall time vs `node -e 0`';

export async function run(ctx) {
  const drover = await ctx.target('drover-rr');
  const env = cleanEnv();
  const time = async (args) => {
    const r = await runCommand(process.execPath, args, { cwd: drover.root, env, timeoutMs: 30_000, registry: ctx.registry });
    if (r.code !== 0) throw new Error(`node ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.ms;
  };
  const commands = { node: ['-e', '0'], status: [cliPath, 'http', 'status'], statusJson: [cliPath, 'http', 'status', '--json'] };
  for (let i = 0; i < 2; i++) for (const args of Object.values(commands)) await time(args);
  const times = { node: [], status: [], statusJson: [] };
  for (let i = 0; i < ctx.settings.statusRuns; i++) {
    const order = i % 2 === 0 ? ['node', 'status', 'statusJson'] : ['statusJson', 'status', 'node'];
    for (const key of order) times[key].push(await time(commands[key]));
  }
  const ratios = [
    ratio({ id: 'status-vs-node', name: '`http status` ÷ `node -e 0`', of: 'drover http status', reference: 'node -e 0', a: times.status, b: times.node, target: { op: '<=', value: 1.3 }, better: 'lower' }),
    ratio({ id: 'status-json-vs-node', name: '`http status --json` ÷ `node -e 0`', of: 'drover http status --json', reference: 'node -e 0', a: times.statusJson, b: times.node, target: { op: '<=', value: 1.3 }, better: 'lower' }),
  ];
  const rows = ratios.map((r) => ({ figure: r.name, drover: `${range(r.of_values, 1)} ms`, reference: `${range(r.reference_values, 1)} ms`, ratio: range(r.ratio), target: targetText(r.target), met: r.met }));
  rows.push({ figure: `  runs: ${ctx.settings.statusRuns} interleaved triples`, drover: `drover start -d took ${fmt(drover.startMs, 0)} ms` });
  return { title, figures: { timesMs: times, droverStartMs: drover.startMs }, ratios, rows };
}
