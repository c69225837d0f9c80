// Reads one object of user config, key by key, and fails with a message that names the file,
// the key, what was expected and what was received. Keys nobody asked for are typos: they
// are refused too, with the nearest known key as a suggestion.
import { ConfigError } from '../errors/index.js';
import { nearest } from '../core/words.js';

type Plain = Record<string, unknown>;

/** The longest delay setTimeout honours: 2^31-1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export class ConfigReader {
  private readonly seen = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly value: Plain,
    private readonly prefix = '',
  ) {}

  static root(file: string, value: unknown): ConfigReader {
    if (!isPlainObject(value)) {
      throw new ConfigError(file, `the file must export an object (received ${describe(value)}).`);
    }
    return new ConfigReader(file, value);
  }

  fail(key: string, expected: string, received: unknown): never {
    throw new ConfigError(this.file, `"${this.prefix}${key}" must be ${expected} (received ${describe(received)}).`);
  }

  private take(key: string): unknown {
    this.seen.add(key);
    return this.value[key];
  }

  /** The raw value, without marking the key as read (to pick a reader by its type). */
  peek(key: string): unknown {
    return this.value[key];
  }

  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  string(key: string, fallback: string): string;
  string(key: string, fallback: string | null): string | null;
  string(key: string, fallback: string | null): string | null {
    const v = this.take(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || v.length === 0) this.fail(key, 'a non-empty string', v);
    return v;
  }

  /** A non-empty string, or false to turn the feature off; undefined when the key is absent. */
  stringOrFalse(key: string): string | false | undefined {
    const v = this.take(key);
    if (v === undefined || v === false) return v;
    if (typeof v !== 'string' || v.length === 0) this.fail(key, 'a non-empty string or false', v);
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.fail(key, 'true or false', v);
    return v;
  }

  integer(key: string, fallback: number, min: number, unit = ''): number {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      this.fail(key, `an integer >= ${min}${unit ? ` (${unit})` : ''}`, v);
    }
    return v;
  }

  /**
   * A delay or timeout in ms. Node's timers take at most 2^31-1 ms (about 24.8 days) and fire
   * a longer one after 1 ms, so a larger value would act as its opposite (DESIGN gotcha 9).
   */
  duration(key: string, fallback: number, min: number): number {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_TIMER_MS) {
      this.fail(key, `an integer from ${min} to ${MAX_TIMER_MS} (ms; Node's timers hold no more, about 24.8 days)`, v);
    }
    return v;
  }

  /** Absent or false: null. Otherwise an integer port from `min` to `max`. */
  portOrFalse(key: string, min: number, max: number): number | null {
    const v = this.take(key);
    if (v === undefined || v === false) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(key, `false, or a port from ${min} to ${max}`, v);
    return v;
  }

  /** An integer, or "auto" for the number of CPUs. */
  count(key: string, fallback: number | 'auto', cpus: number): number {
    const v = this.take(key) ?? fallback;
    if (v === 'auto') return cpus;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) this.fail(key, 'an integer >= 1 or "auto"', v);
    return v;
  }

  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !choices.includes(v as T)) {
      this.fail(key, `one of ${choices.map((c) => `"${c}"`).join(', ')}`, v);
    }
    return v as T;
  }

  stringMap(key: string): Record<string, string> {
    const v = this.take(key);
    if (v === undefined) return {};
    if (!isPlainObject(v)) this.fail(key, 'an object of string values', v);
    const out: Record<string, string> = {};
    for (const [k, item] of Object.entries(v)) {
      if (typeof item !== 'string') this.fail(`${key}.${k}`, 'a string', item);
      out[k] = item;
    }
    return out;
  }

  stringList(key: string): string[] | null {
    const v = this.take(key);
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) this.fail(key, 'an array of strings', v);
    return v as string[];
  }

  /** A nested object, read with its own reader (so its unknown keys are caught too). */
  object(key: string): ConfigReader | null {
    const v = this.take(key);
    if (v === undefined || v === null) return null;
    if (!isPlainObject(v)) this.fail(key, 'an object', v);
    return new ConfigReader(this.file, v, `${this.prefix}${key}.`);
  }

  /** Call last: refuses keys that no reader asked for. */
  rejectUnknownKeys(): void {
    for (const key of Object.keys(this.value)) {
      if (this.seen.has(key)) continue;
      const near = nearest(key, [...this.seen]);
      throw new ConfigError(
        this.file,
        `unknown key "${this.prefix}${key}"${near ? ` (did you mean "${this.prefix}${near}"?)` : ''}.`,
      );
    }
  }
}

export function isPlainObject(v: unknown): v is Plain {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object' && v !== null) return 'an object';
  return String(v);
}
