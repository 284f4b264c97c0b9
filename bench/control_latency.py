#!/usr/bin/env python3
"""Control's command channel (issue 20): a release `strata server` and agent at a 10 s metrics interval; N commands
(default 1,000) run one after another on the agent's platform: `run-script` of an allow-listed script that exits at
once. For each, the time from sending the request to the first read that finds the command `running` or finished
(polling every 2 ms) is an upper bound of "request → agent start". Prints one JSON line: p50/p99/max in ms, the
commands that succeeded, and the agent's RSS at the end.

Usage: python3 bench/control_latency.py [--commands 1000] [--interval 10]"""
import argparse
import base64
import http.client
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ADMIN_PASSWORD, start_strata, status_mib  # noqa: E402

AUTH = "Basic " + base64.b64encode(("admin:" + ADMIN_PASSWORD).encode()).decode()


def call(conn, method, path, body=None):
    headers = {"Authorization": AUTH, "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = json.loads(response.read() or b"{}")
    return response.status, data.get("data")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=10)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="strata-control-bench-")
    os.makedirs(work + "/agent/actions", mode=0o700)
    with open(work + "/agent/actions/ok.sh", "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(work + "/agent/actions/ok.sh", 0o700)
    server, agent, port = start_strata(work, args.interval)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        platform = None
        deadline = time.time() + 60
        while platform is None and time.time() < deadline:
            _, platforms = call(conn, "GET", "/api/v1/resources?kind=platform")
            platform = (platforms or [{}])[0].get("id")
            time.sleep(0.2)
        if platform is None:
            sys.exit("no platform reported within 60 s")
        latencies, succeeded = [], 0
        for _ in range(args.commands):
            t0 = time.monotonic()
            status, command = call(conn, "POST", "/api/v1/control/commands",
                                   {"resource": platform, "action": "run-script", "parameters": {"script": "ok.sh"}})
            if status != 201:
                sys.exit("request refused: %s %s" % (status, command))
            started = None
            while True:
                _, current = call(conn, "GET", "/api/v1/control/commands/" + command["id"])
                state = current["state"]
                if started is None and state in ("running", "succeeded", "failed", "refused", "interrupted"):
                    started = time.monotonic() - t0
                if state in ("succeeded", "failed", "refused", "interrupted", "expired"):
                    succeeded += state == "succeeded"
                    break
                time.sleep(0.002)
            latencies.append(started if started is not None else float("inf"))
        latencies.sort()

        def pct(p):
            return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)
        print(json.dumps({"bench": "control_latency", "commands": args.commands, "interval_s": args.interval, "succeeded": succeeded,
                          "request_to_start_ms_p50": pct(0.5), "request_to_start_ms_p99": pct(0.99),
                          "request_to_start_ms_max": round(1000 * latencies[-1], 1), "agent_rss_mib": status_mib(agent.pid, "VmRSS")}))
    finally:
        agent.terminate()
        server.terminate()


if __name__ == "__main__":
    main()
