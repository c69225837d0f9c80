// Source files that WebSocket scenarios add to a test project.

/** Actions for tests: who handled a message, the push API by name, order, failures, floods. */
export const WS_TEST_CONTROLLER = `
const PUSH = new Set(['sendToClient', 'sendToUid', 'sendToGroup', 'sendToAll', 'bindUid', 'unbindUid', 'joinGroup',
  'leaveGroup', 'ungroup', 'closeClient', 'isOnline', 'isUidOnline', 'getClientIdsByUid', 'getClientIdsByGroup',
  'getUidByClientId', 'getClientCount', 'getClientCountByGroup', 'getSession', 'setSession', 'updateSession']);

class Base {
  inherited() {
    return 'inherited action reached';
  }
}

export default class WsTest extends Base {
  whoami(ctx) {
    return { clientId: ctx.clientId, pid: process.pid, worker: ctx.worker.workerId, generation: ctx.worker.generation };
  }

  version() {
    return 'v1';
  }

  /** {"op": "sendToUid", "args": [...]}: the push API from a business worker. */
  async push(ctx) {
    const { op, args } = ctx.message;
    if (!PUSH.has(op)) throw Object.assign(new Error('no such push op: ' + op), { status: 400 });
    return { op, result: await ctx.gateway[op](...args) };
  }

  /** Replies in order: n, after waiting ms. */
  async seq(ctx) {
    if (ctx.message.ms) await new Promise((r) => setTimeout(r, ctx.message.ms));
    return { n: ctx.message.n, pid: process.pid };
  }

  session(ctx) {
    if (ctx.message.set) Object.assign(ctx.session, ctx.message.set);
    return { session: ctx.session };
  }

  async twice(ctx) {
    await ctx.send({ first: true });
    return { second: true };
  }

  boom() {
    throw new Error('kaboom: a bug in the action');
  }

  refuse() {
    throw Object.assign(new Error('you may not do that'), { status: 403 });
  }

  nothing() {
    return undefined;
  }

  /** Pushes count messages of size bytes to a client (a slow reader test). */
  async flood(ctx) {
    const chunk = 'x'.repeat(ctx.message.size);
    let delivered = 0;
    for (let i = 0; i < ctx.message.count; i++) if (await ctx.gateway.sendToClient(ctx.message.target, chunk)) delivered += 1;
    return { delivered };
  }

  _secret() {
    return 'never routed';
  }
}
`;

/**
 * The "probe" module's core file: every hook writes a file under hooks/ (one per process or
 * client), and onWebSocketConnect copies the handshake's query token into the client's session.
 */
export const WS_HOOKS_MODULE = `
import fs from 'node:fs';
import path from 'node:path';

function write(root, name, value) {
  fs.mkdirSync(path.join(root, 'hooks'), { recursive: true });
  fs.writeFileSync(path.join(root, 'hooks', name + '.tmp'), JSON.stringify(value));
  fs.renameSync(path.join(root, 'hooks', name + '.tmp'), path.join(root, 'hooks', name));
}

export function onWorkerStart(worker) {
  if (worker.service === 'http') return;
  write(worker.root, 'start-' + process.pid, { role: worker.role, workerId: worker.workerId, generation: worker.generation });
}

export function onWorkerStop(worker) {
  if (worker.service === 'http') return;
  write(worker.root, 'stop-' + process.pid, { role: worker.role, workerId: worker.workerId });
}

export function onWebSocketConnect(ctx) {
  ctx.session.token = ctx.handshake.query.token ?? null;
  write(ctx.worker.root, 'connect-' + ctx.clientId, { clientId: ctx.clientId, handshake: ctx.handshake, pid: process.pid });
}

export function onWebSocketClose(ctx) {
  write(ctx.worker.root, 'close-' + ctx.clientId, { clientId: ctx.clientId, code: ctx.code, reason: ctx.reason, uid: ctx.uid, session: ctx.session, handshake: ctx.handshake });
}
`;

/** An HTTP action that pushes to a uid through the gateway client exported by 'drover'. */
export const NOTIFY_CONTROLLER = `
import { gateway } from 'drover';

export default class Notify {
  async uid(ctx) {
    const sent = await gateway.sendToUid(ctx.query.get('uid'), ctx.query.get('text'));
    return { sent, online: await gateway.isUidOnline(ctx.query.get('uid')), clients: await gateway.getClientCount() };
  }
}
`;

/** A self-signed certificate for localhost / 127.0.0.1 (EC P-256, valid until 2126): test only. */
export const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUIq2hwSOAu3N1KgCYSMtwn8sF+NAwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMzIyMDM0NloYDzIxMjYxMDMw
MjIwMzQ2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQayY5o03JBmwWpg34PpG/dKw17ZI1NKGX+G4qkU04bsJycVkwQAMn6
953/BLBVZ7GPjI5eoI2f8+IEjBY9Yrgeo28wbTAdBgNVHQ4EFgQUqi6X9iAPahcn
/DJpchZqWM3ZzrEwHwYDVR0jBBgwFoAUqi6X9iAPahcn/DJpchZqWM3ZzrEwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSQAwRgIhAPMdhCka/RkdCFUiewSyMF7/AIF9dGpX2oljAyWfSi5ZAiEA
p161Xhzs3zMcxGzjmxzcaZ32idqdc3M4pXcwBddTiqE=
-----END CERTIFICATE-----
`;

export const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgi9qK42C0VY4hnm61
epTNqkOMYPLvbzw8dItFC56mDJmhRANCAAQayY5o03JBmwWpg34PpG/dKw17ZI1N
KGX+G4qkU04bsJycVkwQAMn6953/BLBVZ7GPjI5eoI2f8+IEjBY9Yrge
-----END PRIVATE KEY-----
`;
