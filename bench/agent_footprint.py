#!/usr/bin/env python3
"""Agent footprint, side by side with node_exporter on the same machine.

Starts a release `strata server` (fresh data dir) and the lean `strata-agent` at --interval seconds, lets
them settle, then measures the agent's CPU seconds (utime+stime from /proc/PID/stat) over --duration
seconds and its RSS (VmRSS) and peak (VmHWM). Then the same for `prometheus-node-exporter` scraped every
--interval seconds by this process (the scraper's own CPU is not counted), when it is installed.
Prints one JSON line per case. Everything listens on 127.0.0.1 and stops by itself."""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import time

from benchlib import cpu_seconds, free_port, start_strata, wait_http

def memory(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
    return out




def measure(pid, settle, duration, tick=None, interval=None):
    time.sleep(settle)
    start = cpu_seconds(pid)
    began = time.time()
    if tick:
        next_at = began
        while time.time() < began + duration:
            tick()
            next_at += interval
            time.sleep(max(0, next_at - time.time()))
    else:
        time.sleep(duration)
    used = cpu_seconds(pid) - start
    elapsed = time.time() - began
    mem = memory(pid)
    return {"cpu_seconds": round(used, 3), "window_s": round(elapsed, 1),
            "cpu_percent_of_core": round(100 * used / elapsed, 3),
            "rss_mib": round(mem["VmRSS"] / 2**20, 2), "peak_rss_mib": round(mem["VmHWM"] / 2**20, 2)}


def strata_case(args):
    work = tempfile.mkdtemp(prefix="strata-bench-")
    server = agent = None
    try:
        server, agent, _ = start_strata(work, args.interval)
        result = measure(agent.pid, args.settle, args.duration)
        with open("/proc/%d/cmdline" % agent.pid) as f:
            executable = f.read().split("\0")[0]
        result.update({"case": "strata-agent", "interval_s": args.interval, "binary": os.path.basename(executable)})
        return result
    finally:
        for process in (agent, server):
            if process:
                process.terminate()
                process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def node_exporter_case(args):
    binary = shutil.which("prometheus-node-exporter")
    if not binary:
        return {"case": "node_exporter", "skipped": "prometheus-node-exporter is not installed (make bench installs it)"}
    port = free_port()
    process = subprocess.Popen([binary, "--web.listen-address=127.0.0.1:%d" % port],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http("http://127.0.0.1:%d/metrics" % port)

        def scrape():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/metrics", headers={"Accept-Encoding": "gzip",
                                                           "Accept": "text/plain;version=0.0.4"})
            connection.getresponse().read()
            connection.close()

        result = measure(process.pid, args.settle, args.duration, tick=scrape, interval=args.interval)
        result.update({"case": "node_exporter", "interval_s": args.interval})
        return result
    finally:
        process.terminate()
        process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--interval", type=float, default=10)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--settle", type=float, default=3)
    args = parser.parse_args()
    for case in (strata_case, node_exporter_case):
        print(json.dumps(case(args)), flush=True)


if __name__ == "__main__":
    main()
