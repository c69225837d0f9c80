#!/usr/bin/env python3
# A stand-in for systemd's notify socket (sd_notify(3)): binds an AF_UNIX datagram socket at
# argv[1] (Node cannot bind one), prints "bound", then one JSON line per datagram received.
# File descriptors that come with a datagram (systemd-notify's BARRIER=1 sends one and waits
# until it is closed, as systemd closes it once the message is processed) are closed at once.
import array, json, os, socket, sys

path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print("bound", flush=True)
while True:
    data, ancdata, _flags, _addr = sock.recvmsg(4096, socket.CMSG_SPACE(16 * 4) + socket.CMSG_SPACE(12))
    pid = None
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
            for fd in fds:
                os.close(fd)
        elif level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = int.from_bytes(payload[0:4], sys.byteorder)
    print(json.dumps({"message": data.decode("utf-8", "replace"), "pid": pid}), flush=True)
