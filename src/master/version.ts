import fs from 'node:fs';
import path from 'node:path';
import { distDir } from '../core/paths.js';

export function droverVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(distDir, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
