// TCP sockets as the kernel sees them (/proc/net/tcp{,6}), for assertions no process can fake:
// who listens on a port, and which connections a process still holds. Linux only.
import fs from 'node:fs';

interface TcpEntry {
  localPort: number;
  /** /proc/net/tcp's st: 01 ESTABLISHED, 0A LISTEN, ... */
  state: string;
  inode: string;
}

const STATE = { established: '01', closeWait: '08', listen: '0A' } as const;

function tcpTable(): TcpEntry[] {
  const entries: TcpEntry[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      entries.push({ localPort: Number.parseInt(cols[1]!.split(':')[1]!, 16), state: cols[3]!, inode: cols[9]! });
    }
  }
  return entries;
}

/** Is anything listening on `port` (any address)? */
export function isListening(port: number): boolean {
  return tcpTable().some((e) => e.localPort === port && e.state === STATE.listen);
}

/** The socket inodes a process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/**
 * How many TCP connections a process holds open (ESTABLISHED, or CLOSE_WAIT: the client gave
 * up and the process never closed its end). A master should hold none once the load is over:
 * a round-robin hand-off that was lost stays here.
 */
export function establishedTcpOf(pid: number): number {
  const inodes = socketInodes(pid);
  return tcpTable().filter((e) => (e.state === STATE.established || e.state === STATE.closeWait) && inodes.has(e.inode)).length;
}

/** The TCP ports a process listens on itself (a round-robin worker listens on none: its master does). */
export function listeningPortsOf(pid: number): number[] {
  const inodes = socketInodes(pid);
  return tcpTable().filter((e) => e.state === STATE.listen && inodes.has(e.inode)).map((e) => e.localPort);
}
