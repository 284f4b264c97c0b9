#!/usr/bin/env python3
"""The web UI at scale (issue 23): an inventory of 5,000 resources and a page of 50 live charts, in headless Chromium.

A release `strata server` on a free loopback port; 5,000 resources imported (hosts, hypervisors, VMs, guests, servers,
services); a stand-in agent (this script, speaking the agent protocol of docs/protocol.md) reporting one platform with
50 gauges every second. Then, in Chromium 1280×800:
  - first paint of the overview, the inventory list and the 50-chart page: from navigation start to the page's own
    `strata page …` performance measure (its data read and drawn);
  - the inventory list scrolled from top to bottom: frame times while it pages from the server;
  - 50 live charts for --seconds (default 15): frame times (requestAnimationFrame intervals, p50/p95/max), points
    received, the page's JS heap (performance.memory with precise memory info).
Prints one JSON line. Needs chromium, chromedriver and PyPI selenium (`make bench` installs them).
Usage: python3 bench/ui_bench.py [--seconds 15] [--resources 5000] [--binary .build/release/strata]"""
import argparse
import base64
import json
import os
import shutil
import struct
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ADMIN_PASSWORD, AGENT_TOKEN, start_server  # noqa: E402
from benchlib import agent_string as string, agent_zigzag, varint as uvarint  # noqa: E402

AUTH = "Basic " + base64.b64encode(("admin:" + ADMIN_PASSWORD).encode()).decode()


def call(port, method, path, body=None, headers=None, raw=False):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data, method=method,
                                     headers=headers or {"Authorization": AUTH, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        text = response.read()
        return text if raw else json.loads(text or b"null")


def estate(count):
    """About `count` resources: 50 hosts, a hypervisor each, VMs with a guest, a server and a service in each guest."""
    resources, hosts = [], 50
    per_vm = 4  # vm, guest, server, service
    vms = max(1, (count - 2 * hosts) // per_vm)
    for h in range(hosts):
        resources.append({"kind": "platform", "key": "host-%02d" % h, "name": "host-%02d" % h, "properties": {"rack": "r%d" % (h % 5)}})
        resources.append({"kind": "hypervisor", "key": "kvm-%02d" % h, "name": "kvm-%02d" % h, "parent": "host-%02d" % h})
    for v in range(vms):
        vm = "vm-%04d" % v
        resources.append({"kind": "vm", "key": vm, "name": vm, "placements": [{"hypervisor": "kvm-%02d" % (v % hosts), "from": "2026-11-01T00:00:00Z"}]})
        resources.append({"kind": "platform", "key": "guest-%04d" % v, "name": "guest-%04d" % v, "relations": [{"kind": "runs-in", "target": vm}]})
        resources.append({"kind": "server", "key": "guest-%04d/nginx" % v, "name": "nginx", "parent": "guest-%04d" % v})
        resources.append({"kind": "service", "key": "guest-%04d/nginx/shop" % v, "name": "shop", "parent": "guest-%04d/nginx" % v})
    return resources


# ------------------------------------------------------------------ a stand-in agent (docs/protocol.md)

def batch(agent_id, sequence, now_ms, metrics):
    body = string(agent_id) + uvarint(sequence) + agent_zigzag(now_ms) + uvarint(1000) + string("bench")
    body += uvarint(1) + string("platform") + string("machine-id:bench-live") + string("bench-live") + uvarint(0) + b"\x00"
    body += uvarint(len(metrics))
    for name, value in metrics:
        body += uvarint(0) + string(name) + b"\x00" + uvarint(0) + uvarint(1) + agent_zigzag(now_ms) + struct.pack("<d", value)
    return b"STRA\x01\x00" + body


def agent(port, stop, sent):
    agent_id = "bench" + os.urandom(8).hex()
    enrolled = call(port, "POST", "/api/agent/v1/enroll", {"agentId": agent_id, "platformKey": "machine-id:bench-live"},
                    {"Authorization": "Bearer " + AGENT_TOKEN, "Content-Type": "application/json"})
    headers = {"Authorization": "Bearer " + enrolled["data"]["credential"], "Content-Type": "application/x-strata-batch"}
    sequence = 0
    while not stop.is_set():
        sequence += 1
        now = int(time.time() * 1000)
        metrics = [("bench_gauge_%02d" % i, 50 + 40 * ((now / 1000 / (5 + i)) % 1)) for i in range(50)]
        call(port, "POST", "/api/agent/v1/batches", batch(agent_id, sequence, now, metrics), headers, raw=True)
        sent[0] += len(metrics)
        stop.wait(1.0 - (time.time() % 1.0))


# ------------------------------------------------------------------ the browser

def browser(profile):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--enable-precise-memory-info", "--window-size=1280,800",
                 "--user-data-dir=" + profile):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def page_ready(driver, name, since=0.0, timeout=30):
    """Milliseconds from `since` (performance.now() when the navigation began; 0 is the document's own start) to the
    end of the page's `strata page NAME` measure."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        end = driver.execute_script(
            "const m = performance.getEntriesByName(arguments[0]).filter((e) => e.startTime >= arguments[1]);"
            "return m.length ? m[m.length - 1].startTime + m[m.length - 1].duration : null;", "strata page " + name, since)
        if end is not None:
            return round(end - since, 1)
        time.sleep(0.05)
    raise SystemExit("the %s page did not finish within %d s" % (name, timeout))


def visit(driver, hash_, name):
    """Opens a page of the running app by its hash and answers how long it took to be drawn with its data."""
    since = driver.execute_script("const t = performance.now(); window.location.hash = arguments[0]; return t;", hash_)
    return page_ready(driver, name, since)


FRAMES = """
const seconds = arguments[0], done = arguments[arguments.length - 1];
const gaps = []; let last = performance.now(); const end = last + seconds * 1000;
const charts = [...document.querySelectorAll('figure.chart')].map((f) => f.chart);
const before = charts.reduce((n, c) => n + c.pointCount, 0);
function tick(now) { gaps.push(now - last); last = now; if (now < end) requestAnimationFrame(tick); else finish(); }
function finish() {
  gaps.sort((a, b) => a - b);
  const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))];
  done({frames: gaps.length, p50: q(0.5), p95: q(0.95), max: gaps[gaps.length - 1], charts: charts.length,
        points: charts.reduce((n, c) => n + c.pointCount, 0) - before,
        heapMiB: performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null});
}
requestAnimationFrame(tick);
"""

SCROLL = """
const done = arguments[arguments.length - 1];
const list = document.querySelector('.vlist'); const gaps = []; let last = performance.now();
function tick(now) {
  gaps.push(now - last); last = now;
  if (list.scrollTop + list.clientHeight < list.scrollHeight - 2) { list.scrollTop += 600; requestAnimationFrame(tick); }
  else { gaps.sort((a, b) => a - b); done({frames: gaps.length, p50: gaps[Math.floor(gaps.length / 2)], p95: gaps[Math.floor(gaps.length * 0.95)],
         rows: list.querySelectorAll('.row').length}); }
}
requestAnimationFrame(tick);
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--binary")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="strata-ui-bench-")
    server, port = start_server(work, binary=args.binary)
    stop, sent, driver = threading.Event(), [0], None
    try:
        imported = call(port, "POST", "/api/v1/import", {"version": 1, "resources": estate(args.resources)})
        total = int(urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/api/v1/resources?limit=1" % port,
                                                                  headers={"Authorization": AUTH})).headers["X-Total-Count"])
        feeder = threading.Thread(target=agent, args=(port, stop, sent), daemon=True)
        feeder.start()
        time.sleep(3)
        live = call(port, "GET", "/api/v1/resources?q=bench-live&kind=platform")["data"][0]["id"]
        driver = browser(work + "/chromium")
        driver.set_script_timeout(args.seconds + 60)
        base = "http://127.0.0.1:%d/" % port
        driver.get(base)
        driver.find_element("name", "password").send_keys(ADMIN_PASSWORD)
        driver.find_element("css selector", "form button[type=submit]").click()
        overview = page_ready(driver, "overview")
        inventory = visit(driver, "#/inventory", "inventory")
        scroll = driver.execute_async_script(SCROLL)
        charts_ready = visit(driver, "#/resource/%s?tab=metrics&range=5m" % live, "resource")
        time.sleep(1)
        frames = driver.execute_async_script(FRAMES, args.seconds)
        print(json.dumps({"bench": "ui", "resources": total, "import_status": imported is not None,
                          "first_paint_ms": {"overview": overview, "inventory_5000": inventory, "charts_50": charts_ready},
                          "inventory_scroll": {k: round(v, 1) if isinstance(v, float) else v for k, v in scroll.items()},
                          "live_charts": {k: round(v, 1) if isinstance(v, float) else v for k, v in frames.items()},
                          "live_seconds": args.seconds, "samples_sent": sent[0]}))
    finally:
        stop.set()
        if driver:
            driver.quit()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
