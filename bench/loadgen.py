"""What the HTTP benchmarks share: wrk, installed when missing, and its latency figures."""
import re
import shutil
import subprocess


def ensure_wrk():
    """wrk on PATH, from Debian's package if it is not there yet."""
    if shutil.which("wrk"):
        return
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)


def to_ms(value):
    """Milliseconds in one of wrk's latency figures ("850.12us", "3.2ms", "1.05s")."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
