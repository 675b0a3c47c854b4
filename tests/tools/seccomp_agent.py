#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A minimal linux.seccomp.listenerPath agent for the tests.

Listens on the given unix socket, receives the runtime's ContainerProcessState message with
the seccomp listener fd (SCM_RIGHTS), prints what it got, then answers every notified mkdir /
mkdirat with EROFS through that fd, until the container goes away.
"""
import array
import errno
import fcntl
import json
import os
import select
import socket
import struct
import sys

NOTIF_RECV = 0xC0502100  # _IOWR('!', 0, struct seccomp_notif)      (80 bytes)
NOTIF_SEND = 0xC0182101  # _IOWR('!', 1, struct seccomp_notif_resp) (24 bytes)
MKDIR, MKDIRAT = 83, 258  # x86_64

path = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(30)
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 65536, 4)
state = json.loads(msg)
print("fds=%d names=%s metadata=%s id=%s pid=%s" % (
    len(fds), state.get("fds"), state.get("metadata"), state["state"]["id"], state.get("pid")))
sys.stdout.flush()
listener = fds[0]
poller = select.poll()
poller.register(listener, select.POLLIN)
while True:
    # POLLHUP: every process that used the filter is gone
    events = poller.poll(30000)
    if not events or events[0][1] & select.POLLHUP:
        break
    buf = bytearray(80)
    try:
        fcntl.ioctl(listener, NOTIF_RECV, buf, True)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.EINTR):
            continue
        break  # the filter's last user is gone
    nid, pid, flags, nr = struct.unpack_from("=QIIi", buf, 0)
    name = {MKDIR: "mkdir", MKDIRAT: "mkdirat"}.get(nr, str(nr))
    resp = bytearray(struct.pack("=QqiI", nid, 0, -errno.EROFS, 0))
    try:
        fcntl.ioctl(listener, NOTIF_SEND, resp, True)
    except OSError:
        pass
    print("answered=%s pid=%d" % ("mkdir" if name.startswith("mkdir") else name, pid))
    sys.stdout.flush()
os.close(listener)
