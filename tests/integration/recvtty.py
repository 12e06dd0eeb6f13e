#!/usr/bin/env python3
"""recvtty.py SOCKET OUTFILE [INPUT]: the receiving end of --console-socket.

Listens on the unix socket SOCKET, accepts one connection and receives one
message carrying file descriptors with SCM_RIGHTS (the pty master).  Writes
to OUTFILE a first line `received N fd(s) isatty=0|1`, then everything the
container writes to its terminal, until the last slave closes (EIO).  If
INPUT is given it is written to the master first (as keyboard input).
Gives up after 60 s without a connection so a broken runtime cannot hang
the test run."""
import array
import os
import socket
import sys


def main():
    path, outfile = sys.argv[1], sys.argv[2]
    text_in = sys.argv[3] if len(sys.argv) > 3 else None
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(60)
    out = open(outfile, "wb", buffering=0)
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        out.write(b"timeout: no connection\n")
        return 1
    conn.settimeout(60)
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(16 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
    conn.close()
    srv.close()
    if not fds:
        out.write(b"received 0 fd(s)\n")
        return 1
    master = fds[0]
    out.write(b"received %d fd(s) isatty=%d\n" % (len(fds), int(os.isatty(master))))
    for fd in fds[1:]:
        os.close(fd)
    if text_in is not None:
        os.write(master, text_in.encode())
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:         # EIO: every slave fd is closed
            break
        if not data:
            break
        out.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
