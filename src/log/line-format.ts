// One log line, in the two formats an operator can choose (`logFormat`): text for people,
// JSON lines for shippers. Every line says when, which service, which process (the master or
// worker N, and its pid) and which stream it came from. The CLI's `logs --worker` parses them
// back with parseLine(), so the two functions live together.

export type LogFormat = 'text' | 'json';
export type LogStream = 'stdout' | 'stderr';

/** Who wrote a line: the master, or the worker in slot `worker`. */
export interface LogSource {
  service: string;
  /** Slot id of a worker; null for the master. */
  worker: number | null;
  pid: number;
}

export interface LogRecord extends LogSource {
  time: string;
  stream: LogStream;
  message: string;
}

/**
 * The text prefix, up to the message: `2026-11-30T15:28:31.123Z [http worker 1 pid 4101 stdout] `.
 * Built once per chunk read from a worker, not once per line.
 */
export function textPrefix(time: string, source: LogSource, stream: LogStream): string {
  const who = source.worker === null ? 'master' : `worker ${source.worker}`;
  return `${time} [${source.service} ${who} pid ${source.pid} ${stream}] `;
}

/** Formats lines (without their newline) that share a time, a source and a stream. */
export function formatLines(format: LogFormat, time: string, source: LogSource, stream: LogStream, lines: readonly string[]): string {
  let out = '';
  if (format === 'text') {
    const prefix = textPrefix(time, source, stream);
    for (const line of lines) out += `${prefix}${line}\n`;
    return out;
  }
  // Keys in a fixed order; "worker" only on workers' lines so that its type never changes.
  const head =
    source.worker === null
      ? `{"time":"${time}","service":${JSON.stringify(source.service)},"process":"master","pid":${source.pid},"stream":"${stream}","message":`
      : `{"time":"${time}","service":${JSON.stringify(source.service)},"process":"worker","worker":${source.worker},"pid":${source.pid},"stream":"${stream}","message":`;
  for (const line of lines) out += `${head}${JSON.stringify(line)}}\n`;
  return out;
}

const TEXT_LINE = /^(\S+) \[(\S+) (?:master|worker (\d+)) pid (\d+) (stdout|stderr)\] (.*)$/;

/** Reads a line written by formatLines back; null for anything else (a line from before drover wrote them). */
export function parseLine(line: string): LogRecord | null {
  if (line.startsWith('{')) {
    try {
      const v = JSON.parse(line) as Record<string, unknown>;
      if (typeof v.time !== 'string' || typeof v.pid !== 'number' || typeof v.message !== 'string') return null;
      return {
        time: v.time,
        service: String(v.service),
        worker: typeof v.worker === 'number' ? v.worker : null,
        pid: v.pid,
        stream: v.stream === 'stderr' ? 'stderr' : 'stdout',
        message: v.message,
      };
    } catch {
      return null;
    }
  }
  const m = TEXT_LINE.exec(line);
  if (!m) return null;
  return { time: m[1]!, service: m[2]!, worker: m[3] === undefined ? null : Number(m[3]), pid: Number(m[4]), stream: m[5] as LogStream, message: m[6]! };
}
