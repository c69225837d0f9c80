// Workers notice a dead master through their IPC channel ('disconnect'), but a worker whose
// event loop is busy never gets to run that handler, and a SIGKILLed master cannot clean up.
// A tiny shell, fed the live worker pids on a pipe, does it: when the master dies for any
// reason the kernel closes the pipe, `read` sees EOF, and the shell SIGTERMs the workers it
// knows, then SIGKILLs them after a grace period. It costs one `sh` (about 1 MiB) per master;
// a watchdog thread inside every worker measured 10 MiB each.
import { spawn, type ChildProcess } from 'node:child_process';

const GRACE_SECONDS = 2;

// Ctrl-C reaches the whole foreground process group: the shell ignores it (trap), the master
// decides. USR1/USR2 would kill a shell by default (`kill -USR1` to every pid of a service, a
// log rotator's signal): ignored too.
const SCRIPT = `trap "" INT QUIT HUP USR1 USR2 PIPE
pids=" "
while read -r op pid; do
  case "$op" in
    +) pids="$pids$pid " ;;
    -) pids=$(printf '%s' "$pids" | sed "s/ $pid / /") ;;
  esac
done
[ "$pids" = " " ] && exit 0
kill -TERM $pids 2>/dev/null
sleep ${GRACE_SECONDS}
for pid in $pids; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done
exit 0
`;

export class OrphanSentinel {
  private readonly child: ChildProcess | null;

  constructor() {
    // Windows has no sh; there the IPC 'disconnect' path alone applies.
    if (process.platform === 'win32') {
      this.child = null;
      return;
    }
    this.child = spawn('/bin/sh', ['-c', SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: false });
    this.child.on('error', () => undefined);
    this.child.stdin?.on('error', () => undefined);
    this.child.unref();
    (this.child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  add(pid: number): void {
    this.child?.stdin?.write(`+ ${pid}\n`);
  }

  remove(pid: number): void {
    this.child?.stdin?.write(`- ${pid}\n`);
  }

  /** On a clean stop every worker is gone already: tell the shell to leave. */
  close(): void {
    this.child?.stdin?.end();
  }
}
