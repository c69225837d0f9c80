// The scenarios, in the order they run (the order matters: memory "after load" is read after
// the throughput runs and before the reload replaces the workers).
//
// Adding one: a module here exporting `id`, `title` and `async run(ctx)` that returns
//   { title, figures, ratios: [ratio(...) from lib/report.mjs], rows: [{ figure, drover, reference, ratio, target, met }] }
// or { skipped: 'why' }. ctx (lib/context.mjs) gives settings, log, target(name) for started
// servers, cpuSeconds(pid), and registry to record any process the scenario starts itself.
import * as httpThroughput from './http-throughput.mjs';
import * as memory from './memory.mjs';
import * as reload from './reload.mjs';
import * as statusTime from './status-time.mjs';
import * as residentVsFresh from './resident-vs-fresh.mjs';
import * as websocket from './websocket.mjs';
import * as hotReload from './hot-reload.mjs';
import * as metricsScale from './metrics-scale.mjs';
import * as staticFiles from './static-files.mjs';
import * as logsChatty from './logs-chatty.mjs';

export const SCENARIOS = [httpThroughput, memory, reload, statusTime, residentVsFresh, websocket, hotReload, staticFiles, metricsScale, logsChatty];
