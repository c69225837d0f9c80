// {"pathInfo":"worker/WebSocketExamples/message"} over the WebSocket service → this class's
// `message` action. What an action returns goes back to the client as
// {"type": "<action>", "data": <returned value>, "path": "<pathInfo>", "time": <unix seconds>}.
import type { WsActionContext } from 'drover';

export default class WebSocketExamples {
  /** Echoes the message, with who handled it: the seed's browser snippet sends exactly this route. */
  message(ctx: WsActionContext) {
    const { pathInfo: _path, ...rest } = ctx.message;
    const count = ((ctx.session.count as number | undefined) ?? 0) + 1;
    ctx.session.count = count; // per client, kept by its gateway across reloads
    return {
      clientId: ctx.clientId,
      echo: rest,
      count,
      worker: ctx.worker.workerId,
      pid: process.pid,
      at: new Date().toISOString(),
    };
  }

  /** {"pathInfo":"worker/WebSocketExamples/join","room":"lobby"}: joins a group and tells the others. */
  async join(ctx: WsActionContext) {
    const room = typeof ctx.message.room === 'string' ? ctx.message.room : 'lobby';
    await ctx.gateway.joinGroup(ctx.clientId, room);
    await ctx.gateway.sendToGroup(room, JSON.stringify({ type: 'joined', data: { room, clientId: ctx.clientId } }), [ctx.clientId]);
    return { room, members: await ctx.gateway.getClientCountByGroup(room) };
  }

  /** {"pathInfo":"worker/WebSocketExamples/say","room":"lobby","text":"hi"}: a message to everyone in the room. */
  async say(ctx: WsActionContext) {
    const room = typeof ctx.message.room === 'string' ? ctx.message.room : 'lobby';
    const sent = await ctx.gateway.sendToGroup(room, JSON.stringify({ type: 'said', data: { room, from: ctx.clientId, text: String(ctx.message.text ?? '') } }));
    return { room, sent };
  }
}
