// Scenario 3: the wall time of `node dist/cli.js http status` (the human table; the service is
// the 2-worker hello-world drover, idle) against `node -e 0`, the floor of any node CLI, in
// every form: `status`, `status --json` (what monitors call), `status --root DIR` from another
// directory, and `all status --json`. Runs are interleaved rounds (node -e 0 and each form;
// order reversed every round) after two untimed runs of each to warm the file cache; each
// headline is the median of the per-round ratios.
import path from 'node:path';
import { fmt, range, ratio, targetText } from '../lib/report.mjs';
import { cleanEnv, run as runCommand } from '../lib/procs.mjs';
import { cliPath } from '../lib/targets.mjs';

export const id = 'status-time';
export const title = '`drover http status` wall time vs `node -e 0`';

export async function run(ctx) {
  const drover = await ctx.target('drover-rr');
  // `all` asks every service of the hello project: `http` (rr) and `none`, whichever of the two
  // the scenarios before have started (exit 3 when one is not running: a complete answer too).
  const allRunning = ctx.started.has('drover-none');
  const env = cleanEnv();
  // NODE_EXTRA_CA_CERTS (set on some machines, these included) makes every node process parse a
  // certificate bundle at start: most of `node -e 0`'s instructions here, which flatters every
  // ratio below. Where it is set, one more pair runs without it, as most users' machines run.
  const extraCa = Boolean(env.NODE_EXTRA_CA_CERTS);
  const envNoCa = { ...env };
  delete envNoCa.NODE_EXTRA_CA_CERTS;
  const time = async ([cwd, args, commandEnv = env]) => {
    const r = await runCommand(process.execPath, args, { cwd, env: commandEnv, timeoutMs: 30_000, registry: ctx.registry });
    const ok = r.code === 0 || (r.code === 3 && args.includes('all') && !allRunning);
    if (!ok) throw new Error(`node ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.ms;
  };
  // Every form users and monitors call (DESIGN.md §8): from the project, with --json, from
  // elsewhere with --root, and for every service at once.
  const here = drover.root;
  const elsewhere = path.dirname(drover.root);
  const commands = {
    node: [here, ['-e', '0']],
    status: [here, [cliPath, 'http', 'status']],
    statusJson: [here, [cliPath, 'http', 'status', '--json']],
    statusRoot: [elsewhere, [cliPath, 'http', 'status', '--root', drover.root]],
    allStatusJson: [here, [cliPath, 'all', 'status', '--json']],
    ...(extraCa ? { nodeNoCa: [here, ['-e', '0'], envNoCa], statusNoCa: [here, [cliPath, 'http', 'status'], envNoCa] } : {}),
  };
  const keys = Object.keys(commands);
  for (let i = 0; i < 2; i++) for (const key of keys) await time(commands[key]);
  const times = Object.fromEntries(keys.map((k) => [k, []]));
  for (let i = 0; i < ctx.settings.statusRuns; i++) {
    const order = i % 2 === 0 ? keys : [...keys].reverse();
    for (const key of order) times[key].push(await time(commands[key]));
  }
  const target = { op: '<=', value: 1.2 };
  const forms = [
    ['status', 'status-vs-node', '`http status`', 'drover http status'],
    ['statusJson', 'status-json-vs-node', '`http status --json`', 'drover http status --json'],
    ['statusRoot', 'status-root-vs-node', '`http status --root DIR` (from another directory)', 'drover http status --root DIR'],
    ['allStatusJson', 'all-status-json-vs-node', `\`all status --json\` (2 services${allRunning ? '' : ', 1 running'})`, 'drover all status --json'],
  ];
  const ratios = forms.map(([key, id, name, of]) => ratio({ id, name: `${name} ÷ \`node -e 0\``, of, reference: 'node -e 0', a: times[key], b: times.node, target, better: 'lower' }));
  if (extraCa) {
    ratios.push(ratio({ id: 'status-vs-node-no-extra-ca', name: '`http status` ÷ `node -e 0`, both without NODE_EXTRA_CA_CERTS', of: 'drover http status', reference: 'node -e 0', a: times.statusNoCa, b: times.nodeNoCa, better: 'lower' }));
  }
  const rows = ratios.map((r) => ({ figure: r.name, drover: `${range(r.of_values, 1)} ms`, reference: `${range(r.reference_values, 1)} ms`, ratio: range(r.ratio), target: targetText(r.target), met: r.met }));
  rows.push({ figure: `  runs: ${ctx.settings.statusRuns} interleaved rounds of ${keys.length}`, drover: `drover start -d took ${fmt(drover.startMs, 0)} ms` });
  return { title, figures: { timesMs: times, droverStartMs: drover.startMs }, ratios, rows };
}
