// Scenario 7: hot reload, file save → new code answering. drover runs in the foreground
// (`drover http start`, no -d: hot reload watches app/ and config/) on a copy of the example
// app, 2 workers, with config/worker_process.json setting `debounceMs`. A light keep-alive
// load runs throughout (lib/http-load.mjs: `hotReloadConnections` connections, each pausing
// `hotReloadPauseMs` between requests, on GET /worker/HttpExamples/index), and every response
// body is looked at.
//   hot:  the bench writes app/worker/controller/HttpExamples.ts with a new message (one
//         writeFileSync, as an editor's save); the figure is the time from the write to the
//         first response that carries the new message.
//   cli:  the reference, in the same run and the same master: `drover http reload`, spawned by
//         the bench; the figure is the time from the spawn to the first response from a worker
//         that was not there before (the code is the same, but it was loaded anew).
// Rounds alternate the two. Both count the failed requests of their whole load run (target 0).
// Headlines: save → new code (target ≤ 1 s), its ratio to the `reload` command's time, and the
// same with the debounce taken off (what hot reload costs beyond the wait it is told to do).
import fs from 'node:fs';
import { firstTagged, httpLoad } from '../lib/load.mjs';
import { absolute, fmt, range, ratio, targetText } from '../lib/report.mjs';
import { sleep } from '../lib/procs.mjs';
import { freePort, makeHotReloadProject } from '../lib/project.mjs';
import { summarize } from '../lib/stats.mjs';
import { ForegroundDrover } from '../lib/targets.mjs';

export const id = 'hot-reload';
export const title = 'Hot reload: file save → new code answering (foreground, example app, 2 workers)';

const PATH = '/worker/HttpExamples/index';
const MESSAGE = 'hello from drover';
const TRIGGER_AT_MS = 700;

export async function run(ctx) {
  const s = ctx.settings;
  const port = await freePort();
  const project = makeHotReloadProject(ctx.tempDir, { port, debounceMs: s.hotReloadDebounceMs });
  const drover = new ForegroundDrover({ name: 'drover-foreground', root: project.root, service: 'http', port, registry: ctx.registry });
  const original = fs.readFileSync(project.controller, 'utf8');
  if (!original.includes(`'${MESSAGE}'`)) throw new Error(`app/worker/controller/HttpExamples.ts no longer contains '${MESSAGE}'`);
  const startedAt = performance.now();
  try {
    await drover.start();
    const startMs = performance.now() - startedAt;
    ctx.log(`  foreground master up in ${fmt(startMs, 0)} ms (debounceMs ${s.hotReloadDebounceMs})`);
    // Warm: both workers have loaded the controller through tsx.
    await httpLoad({ port, path: PATH, connections: 2, durationMs: 500 });
    const runs = { hot: [], cli: [] };
    for (let round = 0; round < s.hotReloadRounds; round++) {
      const order = round % 2 === 0 ? ['hot', 'cli'] : ['cli', 'hot'];
      for (const kind of order) {
        const r = kind === 'hot' ? await saveAndWait(ctx, { drover, project, original, port, edit: round + 1 }) : await reloadAndWait(ctx, { drover, port });
        runs[kind].push(r);
        ctx.log(`  round ${round + 1}/${s.hotReloadRounds} ${kind}: new code after ${fmt(r.newCodeMs, 0)} ms, ${r.failed} failed of ${r.requests}, drover's reload ${r.reportedMs ?? '–'} ms${kind === 'cli' ? `, command ${fmt(r.wallMs, 0)} ms` : ''}`);
        await sleep(300);
      }
    }
    return summarizeRuns(runs, { debounceMs: s.hotReloadDebounceMs, startMs, settings: s });
  } finally {
    // The edited controller stays as it is: restoring it now would start one more reload
    // during the stop (the project is a temp folder, removed at the end).
    await drover.stop();
  }
}

/** Saves the controller with a new message; the load looks for it in the responses. */
async function saveAndWait(ctx, { drover, project, original, port, edit }) {
  const s = ctx.settings;
  const message = `${MESSAGE}, edit ${edit}`;
  const needle = Buffer.from(`"${message}"`);
  const linesBefore = drover.lines.length;
  const loading = httpLoad({ port, path: PATH, connections: s.hotReloadConnections, durationMs: s.hotReloadLoadS * 1000, pauseMs: s.hotReloadPauseMs, inspect: (body) => body.includes(needle) });
  await sleep(TRIGGER_AT_MS);
  fs.writeFileSync(project.controller, original.replace(`'${MESSAGE}'`, `'${message}'`));
  const writtenAt = performance.now();
  const load = await loading;
  const done = await drover.waitForLine(/reload (done|failed)/, 30_000, linesBefore);
  if (/reload failed/.test(done.text)) throw new Error(`hot reload failed: ${done.text}`);
  const changed = drover.lines.slice(linesBefore).find((l) => /changed: .* — reloading/.test(l.text));
  return figures(load, writtenAt, { reportedMs: reportedMs(done.text), changedLogMs: changed ? changed.at - writtenAt : null, doneLogMs: done.at - writtenAt });
}

/** `drover http reload` from the bench; the load looks for answers from workers that are new. */
async function reloadAndWait(ctx, { drover, port }) {
  const s = ctx.settings;
  const old = new Set((await drover.status()).workers.map((w) => w.pid));
  const pidOf = (body) => Number(/"pid":(\d+)/.exec(body.toString('latin1'))?.[1]);
  const loading = httpLoad({ port, path: PATH, connections: s.hotReloadConnections, durationMs: s.hotReloadLoadS * 1000, pauseMs: s.hotReloadPauseMs, inspect: (body) => !old.has(pidOf(body)) });
  await sleep(TRIGGER_AT_MS);
  const calledAt = performance.now();
  const reload = await drover.reload();
  const load = await loading;
  return figures(load, calledAt, { reportedMs: reload.reportedMs, wallMs: reload.wallMs, drainedMs: reload.drainedMs });
}

function figures(load, triggerAt, extra) {
  const from = triggerAt - load.startedAt;
  const first = firstTagged(load, from);
  return {
    newCodeMs: first === null ? Number.NaN : first - from,
    seenInsideLoad: first !== null,
    failed: load.failed,
    errors: load.errors,
    requests: load.requests,
    rps: load.rps,
    ...extra,
  };
}

function reportedMs(text) {
  const m = /reload done in (\d+) ms/.exec(text);
  return m ? Number(m[1]) : null;
}

function summarizeRuns(runs, { debounceMs, startMs, settings }) {
  const pick = (list, key) => list.map((r) => r[key]);
  const hot = runs.hot;
  const cli = runs.cli;
  const ratios = [
    absolute({ id: 'hot-reload-save-to-new-code-ms', name: 'hot reload: file save → first response with the new code', of: 'drover http start (foreground)', unit: 'ms', values: pick(hot, 'newCodeMs'), target: { op: '<=', value: 1000, unit: 'ms' } }),
    absolute({ id: 'hot-reload-failed-requests', name: 'failed requests per hot reload (light keep-alive load)', of: 'drover http start (foreground)', unit: 'requests', values: pick(hot, 'failed'), target: { op: '<=', value: 0, unit: 'requests' } }),
    ratio({ id: 'hot-reload-vs-reload-command', name: 'save → new code ÷ `drover http reload` → a new worker answering', of: 'hot reload', reference: 'drover http reload (same master, same run)', a: pick(hot, 'newCodeMs'), b: pick(cli, 'newCodeMs'), better: 'lower' }),
    ratio({ id: 'hot-reload-minus-debounce-vs-reload-command', name: `(save → new code − debounceMs ${debounceMs}) ÷ \`reload\` → new worker`, of: 'hot reload minus its debounce', reference: 'drover http reload', a: hot.map((r) => r.newCodeMs - debounceMs), b: pick(cli, 'newCodeMs'), better: 'lower' }),
  ];
  const [abs, failed, vsCli, minusDebounce] = ratios;
  const rows = [
    { figure: abs.name, drover: `${range(abs.value, 0)} ms`, reference: `\`http reload\`: ${range(summarize(pick(cli, 'newCodeMs')), 0)} ms`, ratio: range(vsCli.ratio), target: targetText(abs.target), met: abs.met },
    { figure: failed.name, drover: range(failed.value, 0), reference: `\`http reload\`: ${range(summarize(pick(cli, 'failed')), 0)}`, ratio: '', target: targetText(failed.target), met: failed.met },
    { figure: minusDebounce.name, drover: `${range(minusDebounce.of_values, 0)} ms`, reference: `${range(minusDebounce.reference_values, 0)} ms`, ratio: range(minusDebounce.ratio), target: '' },
    {
      figure: '  hot: "changed" logged / "reload done" logged (ms after the save); drover\'s own reload figure',
      drover: `${range(summarize(pick(hot, 'changedLogMs')), 0)} / ${range(summarize(pick(hot, 'doneLogMs')), 0)} ms`,
      reference: `reload done in ${range(summarize(pick(hot, 'reportedMs')), 0)} ms`,
    },
    { figure: '  `http reload`: command wall time; drover\'s own figure', drover: `${range(summarize(pick(cli, 'wallMs')), 0)} ms`, reference: `reloaded in ${range(summarize(pick(cli, 'reportedMs')), 0)} ms` },
    { figure: `  load: ${settings.hotReloadConnections} keep-alive connections, ${settings.hotReloadPauseMs} ms between requests`, drover: `${range(summarize([...pick(hot, 'rps'), ...pick(cli, 'rps')]), 0)} req/s`, reference: `master up in ${fmt(startMs, 0)} ms` },
  ];
  if ([...hot, ...cli].some((r) => !r.seenInsideLoad)) rows.push({ figure: '  warning', drover: 'the new code did not answer before the load run ended; raise hotReloadLoadS' });
  return { title, figures: { debounceMs, runs, startMs }, ratios, rows };
}
