// The last lines a worker wrote to stderr, kept so that `status` can show why a worker died
// (issue 11). Bounded in lines and in characters per line: a crash loop costs nothing more.

export const TAIL_LINES = 20;
export const TAIL_LINE_CHARS = 500;

export class TailBuffer {
  private readonly lines: string[] = [];

  push(lines: readonly string[]): void {
    for (const line of lines.slice(-TAIL_LINES)) {
      this.lines.push(line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)}…` : line);
    }
    if (this.lines.length > TAIL_LINES) this.lines.splice(0, this.lines.length - TAIL_LINES);
  }

  list(): string[] {
    return [...this.lines];
  }
}
