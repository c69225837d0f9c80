// What the processes of one test said, kept so that a failure can print it.

const MAX_ENTRY_CHARS = 6000;

export class Transcript {
  private readonly entries: Array<{ label: () => string; text: () => string }> = [];

  /** Label and text are read when the transcript is rendered: live output shows as it is then. */
  add(label: string | (() => string), text: string | (() => string)): void {
    this.entries.push({ label: typeof label === 'string' ? () => label : label, text: typeof text === 'string' ? () => text : text });
  }

  render(): string {
    return this.entries
      .map(({ label, text }) => {
        let body = '';
        const title = label();
        try {
          body = text();
        } catch (error) {
          body = `(unreadable: ${(error as Error).message})`;
        }
        if (body.length > MAX_ENTRY_CHARS) body = `…${body.slice(-MAX_ENTRY_CHARS)}`;
        return `──── ${title}\n${body.trimEnd() || '(nothing)'}`;
      })
      .join('\n');
  }
}
