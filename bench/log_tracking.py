#!/usr/bin/env python3
"""Log tracking cost: the release agent following one file written at --rate lines/s.

Starts a release `strata server` and `strata-agent` (10 s interval) whose plugins.conf tracks one file
(Java/Tomcat format, every line kept: level info, rate limit above the write rate), writes --rate lines/s
to it for --duration seconds (100 writes per second), then measures the agent's CPU (utime+stime from
/proc/PID/stat) over the writing window and counts the log events the server stored. Prints one JSON
line. Everything listens on 127.0.0.1 and stops by itself."""
import argparse
import base64
import json
import os
import shutil
import tempfile
import time
import urllib.request

from benchlib import ADMIN_PASSWORD, cpu_seconds, start_strata, status_mib

LEVELS = ["INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "WARNING", "WARNING", "SEVERE"]


def count_events(port):
    auth = "Basic " + base64.b64encode(("admin:" + ADMIN_PASSWORD).encode()).decode()
    total, before = 0, ""
    while True:
        request = urllib.request.Request("http://127.0.0.1:%d/api/v1/events?kind=log&limit=10000%s" % (port, before),
                                         headers={"Authorization": auth})
        page = json.load(urllib.request.urlopen(request, timeout=60))["data"]
        total += len(page)
        if len(page) < 10000:
            return total
        before = "&before=%d" % page[-1]["id"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=10000)
    parser.add_argument("--duration", type=float, default=30)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="strata-bench-logs-")
    log = os.path.join(work, "catalina.log")
    open(log, "w").close()
    settings = "log.bench.path = %s\nlog.bench.format = java\nlog.bench.rate = %d\nlog.servers = off\nconfig.servers = off\n" % (
        log, args.rate * 2)
    server = agent = None
    try:
        server, agent, port = start_strata(work, 10, settings)
        time.sleep(3)
        with open("/proc/%d/cmdline" % agent.pid) as f:
            executable = f.read().split("\0")[0]
        agent_start, server_start = cpu_seconds(agent.pid), cpu_seconds(server.pid)
        began = time.time()
        written = 0
        per_write = max(1, args.rate // 100)
        with open(log, "a") as out:
            next_at = began
            while time.time() < began + args.duration:
                stamp = time.strftime("%d-%b-%Y %H:%M:%S", time.gmtime())
                chunk = []
                for _ in range(per_write):
                    written += 1
                    chunk.append("%s.%03d %s [http-nio-8080-exec-%d] com.example.crm.OrderServlet.doGet order %d served in %d ms\n"
                                 % (stamp, written % 1000, LEVELS[written % 10], written % 25, written, written % 97))
                out.write("".join(chunk))
                out.flush()
                next_at += 0.01
                time.sleep(max(0, next_at - time.time()))
        time.sleep(3)  # the last poll and batch
        elapsed = time.time() - began
        agent_cpu = cpu_seconds(agent.pid) - agent_start
        server_cpu = cpu_seconds(server.pid) - server_start
        deadline = time.time() + 60
        stored = count_events(port)
        while stored < written and time.time() < deadline:
            time.sleep(1)
            stored = count_events(port)
        print(json.dumps({
            "case": "log-tracking", "lines_per_s": round(written / args.duration), "lines_written": written,
            "events_stored": stored, "window_s": round(elapsed, 1),
            "agent_cpu_percent_of_core": round(100 * agent_cpu / elapsed, 2), "agent_peak_rss_mib": status_mib(agent.pid, "VmHWM"),
            "server_cpu_percent_of_core": round(100 * server_cpu / elapsed, 2), "binary": os.path.basename(executable),
        }), flush=True)
    finally:
        for process in (agent, server):
            if process:
                process.terminate()
                process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
