#!/usr/bin/env python3
"""Time the bench firmware's round trip per block size, as dimtass' Linux client does.
usage: bench_client.py ENDPOINT [SIZE...]   (ENDPOINT: RUNDIR/rpmsg0 of `ampsim run`, or
rpmsg0 for the default run directory, as `ampsim chat rpmsg0`)"""
import os, socket, struct, sys, time

MTU = 496  # RPMsg payload with Linux's 512-byte buffers
sizes = [int(a) for a in sys.argv[2:]] or [512, 1024, 2048, 4096, 8192, 16384, 32768]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(10)
path = sys.argv[1]
if "/" not in path:
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    path = os.path.join(xdg, "ampsim", path) if xdg else f"/tmp/ampsim-{os.getuid()}/{path}"
s.connect(path)
for size in sizes:
    # 32-bit header form: magic "BNCH", then the payload length (bench_proto.h)
    block = struct.pack("<II", 0x48434E42, size) + bytes(i & 0xFF for i in range(size))
    t = time.perf_counter()
    for off in range(0, len(block), MTU):
        s.send(block[off:off + MTU])
    (count,) = struct.unpack("<H", s.recv(2))
    ms = (time.perf_counter() - t) * 1000
    if count != size & 0xFFFF:
        sys.exit(f"block {size}: the firmware counted {count} bytes")
    print(f"block {size:6d} bytes: round trip {ms:.2f} ms")
