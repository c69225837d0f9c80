// Cuts what a worker writes into lines. Chunks from a pipe end anywhere (mid-line, mid
// UTF-8 character); the rest waits for the next chunk. A "line" that never ends is cut at
// MAX_LINE so that one app printing without newlines cannot grow the master's memory.
import { StringDecoder } from 'node:string_decoder';

export const MAX_LINE = 64 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  /** The complete lines in `chunk` (without their newline). */
  push(chunk: Buffer): string[] {
    const text = this.rest + this.decoder.write(chunk);
    const lines = text.split('\n');
    this.rest = lines.pop()!;
    while (this.rest.length > MAX_LINE) {
      lines.push(this.rest.slice(0, MAX_LINE));
      this.rest = this.rest.slice(MAX_LINE);
    }
    return lines;
  }

  /** What is left when the stream ends: a last line without its newline, if any. */
  end(): string[] {
    const text = this.rest + this.decoder.end();
    this.rest = '';
    return text === '' ? [] : [text];
  }
}
