// The folders drover writes in a project (pidfiles/, logs/): created on demand, and when that
// is refused (permissions, a read-only file system) a coded error says which folder and what
// to do, instead of a raw mkdir stack.
import fs from 'node:fs';
import path from 'node:path';
import { droverError } from '../errors/index.js';

const REFUSED = new Set(['EACCES', 'EPERM', 'EROFS']);

/** mkdir -p; refusals become DROVER_ERR_NOT_WRITABLE naming `purpose`. */
export function makeDir(dir: string, purpose: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    // A recursive mkdir on a read-only file system reports ENOENT (it stats the path after
    // EROFS); a plain mkdir of the folder says what really happened.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync(path.dirname(dir))) {
      try {
        fs.mkdirSync(dir);
      } catch (plain) {
        throw notWritable(plain, dir, purpose);
      }
    }
    throw notWritable(error, dir, purpose);
  }
}

/** Opens `file` for appending, with the same error as makeDir when refused. */
export function openForAppend(file: string, purpose: string): number {
  try {
    return fs.openSync(file, 'a');
  } catch (error) {
    throw notWritable(error, file, purpose);
  }
}

export function notWritable(error: unknown, where: string, purpose: string): unknown {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (!REFUSED.has(code)) return error;
  return droverError('DROVER_ERR_NOT_WRITABLE', { where, purpose, errno: code, uid: process.getuid?.() ?? '?' });
}
