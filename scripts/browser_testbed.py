"""The test bed of scripts/browser_test.py: a real Strata server and two real agents on loopback, in a temporary
directory, stopped (every process this module started, by its pid) and removed by `Testbed.close()`.

- agent "host": this machine, at a short interval, with a libvirt test-driver hypervisor (two domains: `web-vm`
  and the unexpected `rogue-vm`), a tracked configuration file and an allow-listed script in DATA/actions;
- agent "guest": the recorded guest tree Tests/IntegrationTests/Fixtures/guest-crm-web (STRATA_HOST_ROOT), whose
  SMBIOS UUID and MAC are web-vm's, so the server puts the guest platform below that VM.
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
GUEST_TREE = os.path.join(ROOT, "Tests/IntegrationTests/Fixtures/guest-crm-web")
WEB_VM_UUID = "aaaaaaaa-0000-4000-8000-000000000001"  # the guest tree's SMBIOS product UUID
WEB_VM_MAC = "52:54:00:0a:00:01"  # the guest tree's eth0
GUEST_NAME = "guest-web"
SCRIPT_NAME = "browser-hello.sh"
SCRIPT_OUTPUT = "hello from the browser test"

NODE_XML = """<node>
  <cpu><mhz>2400</mhz><model>x86_64</model><active>4</active><total>4</total><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>1</threads></cpu>
  <memory>8388608</memory>
{domains}
</node>
"""
DOMAIN_XML = """  <domain type='test'>
    <name>{name}</name>
    <uuid>{uuid}</uuid>
    <memory unit='KiB'>1048576</memory>
    <currentMemory unit='KiB'>1048576</currentMemory>
    <vcpu>2</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
      <disk type='file' device='disk'><source file='/var/lib/img/{name}.img'/><target dev='vda' bus='virtio'/></disk>
      <interface type='network'><mac address='{mac}'/><source network='default'/><target dev='vnet-{name}'/></interface>
    </devices>
  </domain>"""


class BedError(Exception):
    """A step of setting up or driving the bed failed; the message says which and why."""


def wait_for(what, check, timeout, interval=0.25):
    """Polls `check()` until it answers something truthy (returned), else raises BedError naming `what`."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = check()
            if value:
                return value
        except (BedError, urllib.error.URLError, OSError, KeyError, ValueError) as error:
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise BedError(f"{what}: not within {timeout:g} s{detail}")
        time.sleep(interval)


class Ports:
    """Free loopback ports: any the system gives, or only those of an inclusive range LO-HI."""

    def __init__(self, spec=None):
        self.range = [int(p) for p in spec.split("-")] if spec else None
        self.taken = set()

    def free(self):
        candidates = range(self.range[0], self.range[1] + 1) if self.range else [0] * 20
        for port in candidates:
            if port in self.taken:
                continue
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    continue
                chosen = probe.getsockname()[1]
            if chosen not in self.taken:
                self.taken.add(chosen)
                return chosen
        raise BedError(f"no free loopback port in {self.range}")


class API:
    """JSON calls to the server's /api/v1 with HTTP basic credentials; answers (status, envelope data)."""

    def __init__(self, url, user, password):
        self.url, self.auth = url, "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + "/api/v1/" + path, data=data, method=method,
                                         headers={"Authorization": self.auth, "Accept": "application/json",
                                                  **({"Content-Type": "application/json"} if data else {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        try:
            envelope = json.loads(text) if text else {}
        except ValueError:
            envelope = {"error": text[:200].decode(errors="replace")}
        return status, envelope.get("data", envelope) if isinstance(envelope, dict) else envelope

    def ok(self, method, path, body=None):
        status, data = self.call(method, path, body)
        if status >= 300:
            raise BedError(f"{method} /api/v1/{path} answered {status}: {data}")
        return data

    def get(self, path):
        return self.ok("GET", path)


class Testbed:
    """Starts the server and the agents; `close()` stops them and removes the directory."""

    def __init__(self, bin_dir, ports, interval="2s"):
        self.bin = os.path.join(bin_dir, "strata")
        if not os.access(self.bin, os.X_OK):
            raise BedError(f"{self.bin} is missing: build first (swift build --build-tests)")
        self.dir = tempfile.mkdtemp(prefix="strata-browser-")
        self.processes = {}  # name → Popen
        self.ports = ports
        self.interval = interval
        self.password = "browser-test-admin-pw"
        self.token = "browser-test-enrollment-token-0123456789"
        self.url = None
        self.api = None
        self.config_path = os.path.join(self.dir, "app", "app.conf")

    # Processes -------------------------------------------------------------------------------------------------

    def start(self, name, arguments, environment=None):
        log = open(os.path.join(self.dir, name + ".log"), "wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("STRATA_")}
        env.update(environment or {})
        self.processes[name] = subprocess.Popen([self.bin, *arguments], stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        log.close()

    def alive(self, name):
        process = self.processes[name]
        if process.poll() is not None:
            raise BedError(f"the {name} process exited with status {process.returncode}; its log:\n{self.log_tail(name)}")
        return True

    def log_tail(self, name, lines=25):
        try:
            with open(os.path.join(self.dir, name + ".log"), errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def close(self, keep_logs_in=None):
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.processes.clear()
        if keep_logs_in:
            os.makedirs(keep_logs_in, exist_ok=True)
            for entry in os.listdir(self.dir):
                if entry.endswith(".log"):
                    shutil.copy(os.path.join(self.dir, entry), keep_logs_in)
        shutil.rmtree(self.dir, ignore_errors=True)

    # The server ------------------------------------------------------------------------------------------------

    def start_server(self):
        port = self.ports.free()
        self.url = f"http://127.0.0.1:{port}"
        self.start("server", ["server", "--listen", f"127.0.0.1:{port}", "--data", os.path.join(self.dir, "server"),
                              "--log-level", "warning"],
                   {"STRATA_BOOTSTRAP_ADMIN_PASSWORD": self.password, "STRATA_BOOTSTRAP_AGENT_TOKEN": self.token,
                    "STRATA_UI": os.path.join(ROOT, "web")})

        def healthy():
            self.alive("server")
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                return response.status == 200
        wait_for("the server answers /healthz", healthy, 30)
        try:
            with urllib.request.urlopen(self.url + "/", timeout=5) as response:
                page = response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            raise BedError(f"the server answers / with {error.code}: this build serves no web UI") from None
        if 'src="/ui/js/app.js"' not in page:
            raise BedError(f"the server's / is not the web UI's index.html: {page[:200]!r}")
        self.api = API(self.url, "admin", self.password)

    def expect_discoveries(self):
        """New VMs wait for approval unless expected: web-vm is, rogue-vm is not (docs/virtualization.md)."""
        expected = [{"kind": kind, "name": "*"} for kind in ("platform", "hypervisor", "server", "service", "container")]
        self.api.ok("PUT", "discovery-policy", {"mode": "rules", "expected": expected + [{"kind": "vm", "name": "web-vm"}]})

    # The agents ------------------------------------------------------------------------------------------------

    def start_agents(self):
        host = os.path.join(self.dir, "agent-host")
        actions = os.path.join(host, "actions")
        os.makedirs(actions, mode=0o755)
        os.chmod(host, 0o700)
        os.chmod(actions, 0o755)  # owned by this user, writable by nobody else (docs/control.md "Scripts")
        script = os.path.join(actions, SCRIPT_NAME)
        with open(script, "w") as out:
            out.write(f"#!/bin/sh\necho \"{SCRIPT_OUTPUT} $*\"\n")
        os.chmod(script, 0o755)
        node = os.path.join(self.dir, "libvirt", "node.xml")
        os.makedirs(os.path.dirname(node))
        with open(node, "w") as out:
            out.write(NODE_XML.format(domains="\n".join([
                DOMAIN_XML.format(name="web-vm", uuid=WEB_VM_UUID, mac=WEB_VM_MAC),
                DOMAIN_XML.format(name="rogue-vm", uuid="aaaaaaaa-0000-4000-8000-0000000000ee", mac="52:54:00:0a:00:ee")])))
        os.makedirs(os.path.dirname(self.config_path))
        with open(self.config_path, "w") as out:
            out.write("# the browser test's application\nlisten = 8080\nworkers = 4\nmode = old\n")
        with open(os.path.join(host, "plugins.conf"), "w") as out:
            out.write(f"libvirt.uris = test://{node}\nconfig.app.path = {self.config_path}\n")
        os.chmod(os.path.join(host, "plugins.conf"), 0o600)
        common = ["agent", "--server", self.url, "--token", self.token, "--interval", self.interval, "--log-level", "warning"]
        self.start("agent-host", common + ["--data", host])
        self.start("agent-guest", common + ["--data", os.path.join(self.dir, "agent-guest")],
                   {"STRATA_HOST_ROOT": GUEST_TREE})

    def resources(self, **query):
        text = "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in query.items())
        return self.api.get("resources?limit=1000&" + text)

    def named(self, kind, name):
        for resource in self.resources(kind=kind, q=name):
            if resource.get("name") == name:
                return resource
        return None

    def wait_for_inventory(self):
        """Waits until this machine, web-vm with its guest below it, and rogue-vm are in the inventory."""
        hostname = socket.gethostname()

        def ready():
            for name in ("server", "agent-host", "agent-guest"):
                self.alive(name)
            me = self.named("platform", hostname)
            vm = self.named("vm", "web-vm")
            rogue = self.named("vm", "rogue-vm")
            guest = self.named("platform", GUEST_NAME)
            if me and vm and rogue and guest and guest.get("parentId") == vm["id"]:
                return me, vm, rogue, guest
            return None
        return wait_for(f"platform {hostname}, VMs web-vm and rogue-vm, and {GUEST_NAME} below web-vm", ready, 60, 0.5)

    def change_config(self, platform_id):
        """Waits for the first version of the tracked file, changes it once, waits for the second."""
        def version():
            files = self.api.get(f"resources/{platform_id}/configs")
            return max([f.get("version", 0) for f in files if f.get("path") == self.config_path] or [0])
        wait_for(f"version 1 of {self.config_path}", lambda: version() >= 1, 30)
        with open(self.config_path, "w") as out:
            out.write("# the browser test's application\nlisten = 8080\nworkers = 8\nmode = new\n")
        wait_for(f"version 2 of {self.config_path}", lambda: version() >= 2, 30)
