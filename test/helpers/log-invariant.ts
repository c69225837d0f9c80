// The invariant every integration and fault test checks at its end (nginx-tests fail on any
// [alert] line the same way): no warning or error line in any log of the project that the
// test did not cause on purpose. A test that causes one says so, per line pattern, with
// scenario(..., { allowLog: [/pattern/] }); anything else is a failure of that test.

/** What counts as a warning or error line in a log. */
const ALERT_LINE: RegExp[] = [
  /warning/i, // Node's process warnings ("(node:42) MaxListenersExceededWarning: ..."), drover's "warning:" lines
  /\berror\b/i, // "error: ...", "Error: ...", uncaught exceptions
  /^\s+at \S.*:\d+:\d+\)?$/, // a stack frame
  /exited unexpectedly/,
  /\bfailed\b/,
  /\bSIGKILL\b/,
  /compromised/,
];

export interface LogSource {
  name: string;
  read(): string;
}

export interface AlertLine {
  source: string;
  line: string;
}

export function alertLines(sources: LogSource[], allow: RegExp[]): AlertLine[] {
  const found: AlertLine[] = [];
  for (const source of sources) {
    let text = '';
    try {
      text = source.read();
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      const line = messageOf(raw);
      if (!ALERT_LINE.some((re) => re.test(line))) continue;
      // A pattern may be written against the message or against the whole line with its prefix.
      if (allow.some((re) => re.test(line) || re.test(raw))) continue;
      found.push({ source: source.name, line });
    }
  }
  return found;
}

/**
 * The message of a log line without drover's prefix (text: `<time> [<service> worker 1 pid 42
 * stdout] `; JSON lines: the "message" field), so that anchored patterns (a stack frame's
 * leading spaces, "^TransformError") mean the same in a log file and in a terminal.
 */
function messageOf(line: string): string {
  const text = /^\d{4}-\d\d-\d\dT[\d:.]+Z \[[^\]]*\] /.exec(line);
  if (text) return line.slice(text[0].length);
  if (line.startsWith('{"time"')) {
    try {
      const parsed = JSON.parse(line) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      // not one of ours: match the line as it is
    }
  }
  return line;
}

export function describeAlerts(lines: AlertLine[]): string {
  const shown = lines.slice(0, 60).map((l) => `  ${l.source}: ${l.line}`);
  const more = lines.length > 60 ? [`  … and ${lines.length - 60} more`] : [];
  return [
    `${lines.length} warning/error line(s) in the logs that the test did not declare (scenario option allowLog):`,
    ...shown,
    ...more,
  ].join('\n');
}
