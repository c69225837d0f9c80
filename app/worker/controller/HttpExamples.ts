// GET /worker/HttpExamples/index → this class's `index` action. Only methods declared here are
// actions: inherited ones, `constructor` and `_private` names never route.
import type { ActionContext } from 'drover';

// Module state lives as long as the worker: it is what "resident in memory" buys.
let served = 0;

export default class HttpExamples {
  index(ctx: ActionContext) {
    served += 1;
    return { message: 'hello from drover', worker: ctx.worker.workerId, pid: process.pid, served };
  }

  hello(ctx: ActionContext) {
    const name = ctx.query.get('name') ?? 'world';
    return `<h1>Hello, ${escapeHtml(name)}!</h1>`;
  }

  async echo(ctx: ActionContext) {
    return { method: ctx.req.method, body: (await ctx.body()).toString('utf8') };
  }

  _secret() {
    return 'never routed';
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
