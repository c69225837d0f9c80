import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ws from 'ws';
import { serverFrame } from '../../../src/ws/frame.ts';

// ws's own parser, as a client reads server frames (unmasked): what a pushed frame must pass.
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean; maxPayload: number }) => NodeJS.WritableStream & { on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void; on(event: 'error', listener: (error: Error) => void): void } };

function parse(frames: Buffer[]): Promise<Array<{ data: Buffer; isBinary: boolean }>> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    const seen: Array<{ data: Buffer; isBinary: boolean }> = [];
    receiver.on('message', (data, isBinary) => {
      seen.push({ data: Buffer.from(data), isBinary });
      if (seen.length === frames.length) resolve(seen);
    });
    receiver.on('error', reject);
    // Split at odd places: a frame is one Buffer for the gateway, a byte stream for the client.
    const all = Buffer.concat(frames);
    for (let i = 0; i < all.length; i += 7919) receiver.write(all.subarray(i, i + 7919));
  });
}

test('serverFrame: text and binary frames of every length class parse back with ws', async () => {
  const sizes = [1, 100, 125, 126, 65535, 65536, 200_000];
  const frames: Buffer[] = [];
  const payloads: Array<{ data: Buffer; isBinary: boolean }> = [];
  for (const size of sizes) {
    for (const isBinary of [false, true]) {
      const data = Buffer.alloc(size, isBinary ? 0xfe : 0x61);
      frames.push(serverFrame(data, isBinary));
      payloads.push({ data, isBinary });
    }
  }
  const seen = await parse(frames);
  assert.equal(seen.length, payloads.length);
  for (let i = 0; i < payloads.length; i++) {
    assert.equal(seen[i]!.isBinary, payloads[i]!.isBinary, `message ${i}`);
    assert.ok(seen[i]!.data.equals(payloads[i]!.data), `message ${i}: ${seen[i]!.data.length} bytes`);
  }
});

test('serverFrame: one Buffer, header then the payload, FIN set, no mask', () => {
  const frame = serverFrame(Buffer.from('hi'), false);
  assert.deepEqual([...frame], [0x81, 2, 0x68, 0x69]);
  const long = serverFrame(Buffer.alloc(300), true);
  assert.equal(long.length, 4 + 300);
  assert.deepEqual([...long.subarray(0, 4)], [0x82, 126, 0x01, 0x2c]);
});
