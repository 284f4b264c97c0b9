"""Helpers shared by the benchmark scripts: loopback ports and waiting for a server."""
import os
import socket
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


def start_server(work, binary=None):
    """Starts `strata server` (release build unless `binary` says otherwise) on a free loopback port with data in
    `work`/server and waits for it. Returns (server, port); the caller terminates it."""
    binary = binary or os.path.join(ROOT, ".build/release/strata")
    port = free_port()
    env = dict(os.environ, STRATA_BOOTSTRAP_ADMIN_PASSWORD=ADMIN_PASSWORD, STRATA_BOOTSTRAP_AGENT_TOKEN=AGENT_TOKEN)
    server = subprocess.Popen([binary, "server", "--listen", "127.0.0.1:%d" % port, "--data", work + "/server"],
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
