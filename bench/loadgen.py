"""What the HTTP benchmarks share: a free loopback port, wrk (installed when missing) and its
latency figures."""

import re
import shutil
import socket
import subprocess


def free_port():
    """A TCP port nothing listens on at 127.0.0.1, for a server the benchmark starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk():
    """wrk on PATH, from Debian's package if it is not there yet."""
    if shutil.which("wrk"):
        return
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)


def to_ms(value):
    """Milliseconds in one of wrk's latency figures ("850.12us", "3.2ms", "1.05s")."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
