"""A Linux rpmsg program in Python, written for Linux (it knows nothing of ampsim).

usage: rpmsg_app.py DST NAME
Echoes a message through /dev/rpmsg0 (the channel the firmware announced; a second open
fails with EBUSY), checks that a
message over the MTU fails with EMSGSIZE, creates an endpoint NAME -> DST with
RPMSG_CREATE_EPT_IOCTL on /dev/rpmsg_ctrl0 and echoes through the /dev/rpmsgM it makes,
then reads remoteproc's state, checks that a bad state write fails with EINVAL, and that
stopping the firmware under an open /dev/rpmsg0 gives EPIPE as a removed device does.
Prints one line per step; exits 0 when all behaved as on Linux.
"""
import errno
import fcntl
import os
import select
import struct
import sys

RPMSG_CREATE_EPT_IOCTL = 0x4028B501  # _IOW(0xb5, 0x1, struct rpmsg_endpoint_info)
RPMSG_DESTROY_EPT_IOCTL = 0xB502  # _IO(0xb5, 0x2)
RPMSG_ADDR_ANY = 0xFFFFFFFF
STATE = "/sys/class/remoteproc/remoteproc0/state"


def echo(fd, msg):
    os.write(fd, msg)
    ready, _, _ = select.select([fd], [], [], 20)
    assert ready, "no answer within 20 s"
    got = os.read(fd, 1024)
    assert got == msg, got
    print("echoed", len(got), "bytes")


def devices():
    return {n for n in range(32) if os.path.exists("/dev/rpmsg%d" % n)}


def main():
    dst, name = int(sys.argv[1], 0), sys.argv[2].encode()
    fd = os.open("/dev/rpmsg0", os.O_RDWR)
    try:
        os.open("/dev/rpmsg0", os.O_RDWR)
        sys.exit("a second open did not fail")
    except OSError as e:
        assert e.errno == errno.EBUSY, e
        print("second open:", os.strerror(e.errno))
    echo(fd, b"hello from python")
    try:
        os.write(fd, b"x" * 4096)
        sys.exit("an oversize write did not fail")
    except OSError as e:
        assert e.errno == errno.EMSGSIZE, e
        print("oversize write:", os.strerror(e.errno))
    os.close(fd)

    before = devices()
    ctrl = os.open("/dev/rpmsg_ctrl0", os.O_RDWR)
    fcntl.ioctl(ctrl, RPMSG_CREATE_EPT_IOCTL, struct.pack("32sII", name, RPMSG_ADDR_ANY, dst))
    (minor,) = devices() - before
    ept = os.open("/dev/rpmsg%d" % minor, os.O_RDWR)
    echo(ept, b"through an endpoint of my own")
    fcntl.ioctl(ept, RPMSG_DESTROY_EPT_IOCTL)
    os.close(ept)
    os.close(ctrl)
    print("destroyed /dev/rpmsg%d" % minor)

    with open(STATE) as f:
        print("state:", f.read().strip())
    try:
        with open(STATE, "w") as f:
            f.write("sideways\n")
        sys.exit("a bad state write did not fail")
    except OSError as e:
        assert e.errno == errno.EINVAL, e
        print("bad state:", os.strerror(e.errno))

    # The firmware stops under an open device: the errors of a removed device.
    fd = os.open("/dev/rpmsg0", os.O_RDWR)
    set_state("stop")
    for op in (lambda: os.read(fd, 512), lambda: os.write(fd, b"late")):
        try:
            op()
            sys.exit("the device still works after stop")
        except OSError as e:
            assert e.errno == errno.EPIPE, e
    os.close(fd)
    assert not os.path.exists("/dev/rpmsg0")
    print("after stop: %s, gone" % os.strerror(errno.EPIPE))
    set_state("start")
    for _ in range(2000):  # the firmware announces its channel again
        if os.path.exists("/dev/rpmsg0"):
            break
        select.select([], [], [], 0.01)
    fd = os.open("/dev/rpmsg0", os.O_RDWR)
    echo(fd, b"back")
    os.close(fd)


def set_state(word):
    with open(STATE, "w") as f:
        f.write(word + "\n")
    with open(STATE) as f:
        print("state:", f.read().strip())


main()
