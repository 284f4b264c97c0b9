"""Helpers shared by the benchmark scripts: loopback ports and waiting for a server."""
import socket
import time
import urllib.request


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=60):
    """Waits until `url` answers, or exits with a message."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit("timed out waiting for " + url)
