#!/usr/bin/env python3
"""Echo throughput over N rpmsg_ctrl0 endpoints of a running `ampsim run` (docs/performance.md).
usage: ctrl_load.py RUNDIR CLIENTS [WINDOW] [SECONDS] [DST]
Each client creates its endpoint (struct rpmsg_endpoint_info to DST, 0x400: the echo
sample's channel) and keeps WINDOW 64-byte messages in flight; prints messages per second.
One Python process drives every client, so it is itself a ceiling (a few 10^4 msg/s)."""
import select, socket, struct, sys, time

rd, nc = sys.argv[1], int(sys.argv[2])
win = int(sys.argv[3]) if len(sys.argv) > 3 else 8
secs = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
dst = int(sys.argv[5], 0) if len(sys.argv) > 5 else 0x400
socks = []
for i in range(nc):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(rd + "/rpmsg_ctrl0")
    s.send(struct.pack("<32sII", b"load%d" % i, 0xFFFFFFFF, dst))
    status = struct.unpack("<i", s.recv(64)[:4])[0]
    if status:
        sys.exit(f"endpoint {i}: the daemon answered errno {status}")
    s.setblocking(False)
    socks.append(s)
msg, inflight, done = b"x" * 64, {s: 0 for s in socks}, 0
t0 = time.time()
while time.time() < t0 + secs:
    for s in socks:
        while inflight[s] < win:
            try:
                s.send(msg)
            except BlockingIOError:
                break
            inflight[s] += 1
    ready, _, _ = select.select(socks, [], [], 0.5)
    for s in ready:
        while True:
            try:
                s.recv(600)
            except BlockingIOError:
                break
            inflight[s] -= 1
            done += 1
print(f"{nc} clients, window {win}: {done / (time.time() - t0):.0f} msg/s")
