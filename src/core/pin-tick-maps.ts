// Keeps one of node's TickObjects alive for the life of the process, so that the hidden classes
// (maps) of the object literal process.nextTick() builds on every call are never collected.
//
// Why (issue 14): process.nextTick() creates `{ [async_id_symbol], [trigger_async_id_symbol],
// callback, args }` per call, and nothing keeps those objects, so when the process is idle no
// object has the maps after the first computed key. A full GC then drops them (transitions are
// weak), and the next call builds new ones. V8's memory reducer runs such GCs a few seconds into
// every idle period that follows a mark-compact, and a drover process has one while it boots.
// After a few rounds the literal's inline caches have seen too many maps and go megamorphic for
// good: every nextTick() then defines its properties through the runtime
// (Runtime_DefineKeyedOwnPropertyInLiteral, MigrateToMap). Measured in a worker that sat idle
// 20 s after boot, then served hello-world keep-alive load: nextTick was 22 % of the busy CPU
// (CPU profile), workers 19-23 µs of CPU per request against 15-19 for a bare node:cluster
// worker; with this pin 15-18.6 against 12.6-17.6, the slots of the literal stay monomorphic
// (%DebugPrint of nextTick's feedback vector) and the rest of the profile is unchanged.
// One live object keeps its map and, through the maps' back pointers, every map before it.
import { executionAsyncResource } from 'node:async_hooks';

let pinned: object | null = null;

/** Call once, early; the pin is taken on the next tick. */
export function pinTickObjectMaps(): void {
  if (pinned !== null) return;
  // Inside a nextTick callback the execution resource is the TickObject being run.
  process.nextTick(() => {
    pinned = executionAsyncResource();
  });
}

/** The pinned object (null until the tick after pinTickObjectMaps()); for tests. */
export function pinnedTickObject(): object | null {
  return pinned;
}
