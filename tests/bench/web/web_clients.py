#!/usr/bin/env python3
"""What browsers watching `ampsim web` cost the run (docs/teaching.md, "What it costs").

Starts `ampsim run` with the echo sample and `ampsim web` on it, then, with 0, 1 and N
server-sent-event clients connected (each reading every frame, as a browser does), sends
the same number of echo round trips through RUNDIR/rpmsg0 and measures:
  - the daemon's CPU time (utime + stime from /proc/PID/stat) and the round trips per second,
  - the web server's CPU time and the frames each client received,
  - and, with no message at all, the daemon's CPU time over an idle window: what watching
    costs by itself (the web server's ticks: 7 control requests each).
The web server asks the run once per tick whatever the number of clients, so the daemon's
cost with N clients should be that with 1.

  tests/bench/web/web_clients.py --ampsim build/default/sim/ampsim \\
      --firmware build/default/fw-sample/echo/echo [--clients 50] [--messages 50000] [--idle 10]
"""
import argparse
import os
import re
import selectors
import socket
import subprocess
import tempfile
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK  # utime, stime


def wait_for(cond, what, timeout=60):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise SystemExit(f"web_clients: waited too long for {what}")
        time.sleep(0.02)


class Clients:
    """N SSE connections read by one thread; counts the frames ("data:" lines) each got."""

    def __init__(self, port, n):
        self.sel = selectors.DefaultSelector()
        self.frames = [0] * n
        self.stop = False
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /events HTTP/1.1\r\nHost: bench\r\n\r\n")
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ, i)
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            for key, _ in self.sel.select(0.2):
                try:
                    data = key.fileobj.recv(1 << 16)
                except BlockingIOError:
                    continue
                self.frames[key.data] += data.count(b"\ndata: ") + data.startswith(b"data: ")

    def close(self):
        self.stop = True
        self.t.join()
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()


def round_trips(path, n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    t0 = time.monotonic()
    for i in range(n):
        s.send(b"bench %d" % i)
        s.recv(512)
    dt = time.monotonic() - t0
    s.close()
    return n / dt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ampsim", required=True)
    ap.add_argument("--firmware", required=True)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--messages", type=int, default=50000)
    ap.add_argument("--idle", type=float, default=10, help="seconds of the idle window")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ampsim-web-bench-") as tmp:
        rd = os.path.join(tmp, "run")
        run = subprocess.Popen([a.ampsim, "run", "--quiet", "-d", rd, a.firmware])
        web = None
        try:
            wait_for(lambda: os.path.exists(os.path.join(rd, "rpmsg0")), "the echo channel")
            web = subprocess.Popen([a.ampsim, "web", rd, "--listen", "127.0.0.1:0"],
                                   stdout=subprocess.PIPE, text=True)
            port = int(re.search(r"127\.0\.0\.1:(\d+)/", web.stdout.readline()).group(1))
            print(f"{a.messages} echo round trips per row; ampsim web polls every 250 ms "
                  "while a client watches")
            print(f"{'clients':>7} {'round trips/s':>14} {'daemon CPU ms':>14} "
                  f"{'web CPU ms':>11} {'frames/client':>14} {'idle: daemon CPU ms':>20}")
            for n in (0, 1, a.clients):
                c = Clients(port, n) if n else None
                if c:  # every client has its first frame before the clock starts
                    wait_for(lambda: min(c.frames) > 0, "every client's first frame")
                d0, w0 = cpu_ms(run.pid), cpu_ms(web.pid)
                rate = round_trips(os.path.join(rd, "rpmsg0"), a.messages)
                d1, w1 = cpu_ms(run.pid), cpu_ms(web.pid)
                frames = f"{min(c.frames)}..{max(c.frames)}" if c else "-"
                time.sleep(a.idle)
                d2 = cpu_ms(run.pid)
                if c:
                    c.close()
                print(f"{n:>7} {rate:>14.0f} {d1 - d0:>14.0f} {w1 - w0:>11.0f} {frames:>14} "
                      f"{d2 - d1:>20.0f}")
        finally:
            for p in (web, run):
                if p:
                    p.terminate()
                    p.wait()


if __name__ == "__main__":
    main()
