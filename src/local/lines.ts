// Line framing for drover's local sockets (control socket, gateway sockets): one JSON object
// per line. One reader for all of them, so a limit or a fix applies everywhere.

export interface LineFramerOptions {
  /** A line (or an unfinished one) longer than this many characters ends the stream. Default: no limit. */
  maxLine?: number;
  /** Called once when the stream is given up (a line too long, or onLine returned false). */
  onBroken?(reason: 'too-long' | 'refused', line: string): void;
}

/** Splits a utf8 stream into lines; after onLine returns false, or a line too long, it reads nothing more. */
export class LineFramer {
  private rest = '';
  private broken = false;

  constructor(
    private readonly onLine: (line: string) => boolean | void,
    private readonly options: LineFramerOptions = {},
  ) {}

  push(chunk: string): void {
    if (this.broken) return;
    const max = this.options.maxLine ?? Infinity;
    // Lines are cut out of one string; the unfinished tail is kept without copying the rest.
    const text = this.rest.length > 0 ? this.rest + chunk : chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const line = text.slice(start, end);
      start = end + 1;
      if (line.length > max) return this.fail('too-long', line);
      if (this.onLine(line) === false) return this.fail('refused', line);
      if (this.broken) return;
    }
    this.rest = start === 0 ? text : text.slice(start);
    if (this.rest.length > max) this.fail('too-long', this.rest);
  }

  private fail(reason: 'too-long' | 'refused', line: string): void {
    this.broken = true;
    this.rest = '';
    this.options.onBroken?.(reason, line);
  }
}

/** Parses a line as a JSON object, or null. */
export function parseObjectLine(line: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
