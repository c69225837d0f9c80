// `drover init`: makes a project runnable with drover. Writes config/worker_http.js in the
// project's module format (ES module under "type": "module", CommonJS otherwise), an example
// app when the project has none, a package.json when there is none, and prints what to run
// next. It never overwrites a file: whatever exists is kept and named.
import fs from 'node:fs';
import path from 'node:path';
import { packageScope } from '../config/import-config.js';
import { listServices } from '../config/services.js';
import { notWritable } from '../core/writable.js';
import { EXIT, type CommandContext } from './context.js';

const EXAMPLE_APP = 'app/server.js';

export async function init(ctx: CommandContext): Promise<number> {
  const root = ctx.root;
  const report: string[] = [];
  const write = (relative: string, text: string): void => {
    const file = path.join(root, relative);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text, { flag: 'wx' }); // wx: fails rather than overwrite
      report.push(`  wrote ${relative}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return void report.push(`  kept  ${relative} (exists)`);
      throw notWritable(error, file, 'drover init');
    }
  };
  if (!fs.existsSync(path.join(root, 'package.json'))) {
    write('package.json', `${JSON.stringify({ name: npmName(root), private: true, type: 'module' }, null, 2)}\n`);
  }
  const esm = packageScope(path.join(root, 'config', 'worker_http.js')) === 'module';
  const hasApp = fs.existsSync(path.join(root, 'app'));
  const configured = listServices(root);
  if (configured.length > 0) report.push(`  kept  config/ (configures ${configured.join(', ')})`);
  else write('config/worker_http.js', httpConfig(esm, !hasApp));
  if (!hasApp) write(EXAMPLE_APP, exampleApp(esm));
  else report.push('  kept  app/ (exists)');
  const service = configured[0] ?? 'http';
  const typescript = fs.existsSync(path.join(root, 'tsconfig.json')) && !resolvable(root, 'tsx');
  process.stdout.write(`drover init in ${root} (${esm ? 'ES modules' : 'CommonJS'}):
${report.join('\n')}

Next:
${typescript ? '  npm install --save-dev tsx                     # runs your TypeScript sources in debug mode\n' : ''}  npx drover ${service} start                      # debug: foreground, hot reload, Ctrl-C stops
  npx drover ${service} start --production         # production in the foreground (containers, systemd)
  npx drover ${service} start -d                   # production as a daemon; then status, reload, stop
  npx drover ${service} systemd                    # prints a systemd unit for this project
`);
  return EXIT.ok;
}

function httpConfig(esm: boolean, withApp: boolean): string {
  const body = `{
  listen: 'http://0.0.0.0:8000',
  count: 2,
  ${withApp ? `app: '${EXAMPLE_APP}', // default export: a request listener (req, res), an Express app, or { fetch }` : "// app: 'app/server.js',  // a request listener or { fetch }; without it, /module/Controller/action routes"}
  stopTimeout: 10_000,
  readyTimeout: 30_000,
}`;
  const head = `// The HTTP service; every key is optional (see drover's README, "Configuration").\n/** @type {import('drover').ServiceOptions} */\n`;
  return esm ? `${head}export default ${body};\n` : `${head}module.exports = ${body};\n`;
}

function exampleApp(esm: boolean): string {
  const handler = `(req, res) => {
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(\`hello from worker \${process.env.DROVER_WORKER_ID} (pid \${process.pid})\\n\`);
}`;
  const head = '// An example app: any request listener works (an Express app, Koa\'s app.callback()).\n';
  return esm ? `${head}export default ${handler};\n` : `${head}module.exports = ${handler};\n`;
}

function npmName(root: string): string {
  return path.basename(root).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'app';
}

function resolvable(root: string, pkg: string): boolean {
  return fs.existsSync(path.join(root, 'node_modules', pkg, 'package.json'));
}
