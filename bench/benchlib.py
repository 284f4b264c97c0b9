"""Helpers shared by the benchmark scripts: loopback ports, waiting for a server, remote-write bodies by hand."""
import os
import socket
import struct
import subprocess
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


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_PASSWORD = "bench-password"
AGENT_TOKEN = "sat_bench"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of `pid`, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def status_mib(pid, field):
    """A memory field of /proc/PID/status (`VmRSS`, `VmHWM` for the peak) in MiB, or None."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 2)
    return None


def start_server(work, binary=None, env=None, args=()):
    """Starts `strata server` (release build unless `binary` says otherwise) on a free loopback port with data in
    `work`/server, `env` added to its environment and `args` to its flags, and waits for it. Returns (server, port);
    the caller terminates it."""
    binary = binary or os.path.join(ROOT, ".build/release/strata")
    port = free_port()
    env = dict(os.environ, STRATA_BOOTSTRAP_ADMIN_PASSWORD=ADMIN_PASSWORD, STRATA_BOOTSTRAP_AGENT_TOKEN=AGENT_TOKEN, **(env or {}))
    server = subprocess.Popen([binary, "server", "--listen", "127.0.0.1:%d" % port, "--data", work + "/server", *args],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http("http://127.0.0.1:%d/healthz" % port)
    except BaseException:
        server.terminate()
        raise
    return server, port


def start_strata(work, interval, plugins_conf=None):
    """Starts a release `strata server` (`start_server`), then `strata agent` at `interval` seconds with
    `plugins_conf` as its DATA/plugins.conf. Returns (server, agent, port); the caller terminates both."""
    binary = os.path.join(ROOT, ".build/release/strata")
    if plugins_conf is not None:
        os.makedirs(work + "/agent", mode=0o700, exist_ok=True)
        with open(work + "/agent/plugins.conf", "w") as f:
            f.write(plugins_conf)
        os.chmod(work + "/agent/plugins.conf", 0o600)
    server, port = start_server(work, binary)
    agent = subprocess.Popen([binary, "agent", "--server", "http://127.0.0.1:%d" % port, "--data", work + "/agent",
                              "--interval", "%gs" % interval], env=dict(os.environ, STRATA_AGENT_TOKEN=AGENT_TOKEN),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return server, agent, port


def varint(n):
    """A protobuf varint."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def agent_string(text):
    """A string of the agent protocol (docs/protocol.md): its UTF-8 length as a varint, then the bytes."""
    data = text.encode()
    return varint(len(data)) + data


def agent_zigzag(n):
    """A signed varint of the agent protocol: zig-zag, then LEB128."""
    return varint((n << 1) ^ (n >> 63))


def field(number, payload):
    """A length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def rw_labels(pairs):
    """The label fields of a remote-write TimeSeries, sorted by name."""
    return b"".join(field(1, field(1, k.encode()) + field(2, v.encode())) for k, v in sorted(pairs.items()))


def rw_sample(value, ts_ms):
    """The sample field of a remote-write TimeSeries."""
    return field(2, b"\x09" + struct.pack("<d", value) + b"\x10" + varint(ts_ms))


def snappy_literal(data):
    """`data` as a valid snappy block of one literal: no compression, for scripts without a snappy package."""
    n = len(data) - 1
    if n < 60:
        tag = bytes([n << 2])
    elif n < 1 << 8:
        tag = bytes([60 << 2, n])
    elif n < 1 << 16:
        tag = bytes([61 << 2]) + n.to_bytes(2, "little")
    elif n < 1 << 24:
        tag = bytes([62 << 2]) + n.to_bytes(3, "little")
    else:
        tag = bytes([63 << 2]) + n.to_bytes(4, "little")
    return varint(len(data)) + tag + data
