// Reading a master's metrics listener in tests: a scrape over real HTTP, the samples parsed
// into a map, and Prometheus' own `promtool check metrics` run on the text.
import { spawn } from 'node:child_process';
import http from 'node:http';

export interface Scrape {
  status: number;
  contentType: string;
  text: string;
  /** `name{labels}` exactly as written → value. */
  samples: Map<string, number>;
}

export function httpGet(port: number, path: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`GET ${path} on ${port}: no answer within 15 s`)));
  });
}

export async function scrape(port: number): Promise<Scrape> {
  const r = await httpGet(port, '/metrics');
  return { status: r.status, contentType: r.contentType, text: r.body, samples: parseSamples(r.body) };
}

export function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** The value of `name{labels}` (labels in the order drover writes them), or undefined. */
export function sample(s: Scrape, name: string, labels: Record<string, string | number>): number | undefined {
  const text = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  return s.samples.get(text ? `${name}{${text}}` : name);
}

/** Every sample of one metric name, by its label text. */
export function family(s: Scrape, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of s.samples) if (key === name || key.startsWith(`${name}{`)) out.set(key, value);
  return out;
}

export function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
