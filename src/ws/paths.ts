// Where a gateway listens for business workers and push clients: a Unix socket beside the
// service's pidfile (mode 0600: only the user that runs drover may push), a named pipe on
// Windows. Short names: a Unix socket path must stay under about 104 bytes.
import path from 'node:path';
import fs from 'node:fs';

const SOCKET = /^(.+)\.gateway-(\d+)\.sock$/;

export function gatewaySocketPath(root: string, service: string, slot: number): string {
  const sock = path.join(root, 'pidfiles', `${service}.gateway-${slot}.sock`);
  if (process.platform === 'win32') return `\\\\.\\pipe\\drover-${sock.replace(/[^A-Za-z0-9]+/g, '-')}`;
  return sock;
}

/** The gateway slots that have a socket under root/pidfiles (POSIX; on Windows pass a count). */
export function listGatewaySlots(root: string, service: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(root, 'pidfiles'));
  } catch {
    return [];
  }
  const slots: number[] = [];
  for (const name of names) {
    const m = SOCKET.exec(name);
    if (m && m[1] === service) slots.push(Number(m[2]));
  }
  return slots.sort((a, b) => a - b);
}
