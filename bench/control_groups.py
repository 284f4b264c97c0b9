"""Group actions at scale (issue 20): a release `strata server`, N simulated agents (default 100; Python threads
that enroll, report a platform with one nginx each, long-poll their commands and report accepted, running and
succeeded at once), then M group runs (default 100) started together, each reloading every nginx (N targets) with
concurrency 10: N×M commands. Prints one JSON line: the time until every run finished, commands per second, the
queue → agent latency of the commands (p50/p99, from the command's issue time to the fetch that hands it to its
simulated agent), the server's CPU seconds and peak RSS.

Usage: python3 bench/control_groups.py [--agents 100] [--runs 100] [--binary PATH]"""
import argparse
import base64
import http.client
import json
import os
import struct
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ADMIN_PASSWORD, AGENT_TOKEN, cpu_seconds, start_server, status_mib  # noqa: E402
from benchlib import agent_string as string, agent_zigzag, varint as uvarint  # noqa: E402

ADMIN = "Basic " + base64.b64encode(("admin:" + ADMIN_PASSWORD).encode()).decode()


def batch(agent_id, platform_key):
    """A version-1 batch (docs/protocol.md): the platform and one nginx server below it, no series."""
    props = bytes([5]) + uvarint(1) + string("type") + bytes([0]) + string("nginx")
    resources = (string("platform") + string(platform_key) + string(agent_id) + uvarint(0) + bytes([0])
                 + string("server") + string(platform_key + "/nginx:/etc/nginx/nginx.conf") + string("nginx") + uvarint(1) + bytes([1]) + props)
    now = int(time.time() * 1000)
    payload = (string(agent_id) + uvarint(1) + agent_zigzag(now) + uvarint(1000) + string("bench")
               + uvarint(2) + resources + uvarint(0))
    return b"STRA" + bytes([1, 0]) + payload


class SimulatedAgent(threading.Thread):
    def __init__(self, port, index, latencies, stop):
        super().__init__(daemon=True)
        self.port, self.index, self.latencies, self.stop = port, index, latencies, stop
        self.agent_id = "simagent%04d" % index
        self.platform_key = "machine-id:sim%04d" % index

    def call(self, conn, method, path, body=None, auth=None, content_type="application/json"):
        conn.request(method, path, body=body, headers={"Authorization": auth, "Content-Type": content_type})
        response = conn.getresponse()
        return response.status, response.read()

    def enroll(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        status, body = self.call(conn, "POST", "/api/agent/v1/enroll",
                                 json.dumps({"agentId": self.agent_id, "platformKey": self.platform_key}), "Bearer " + AGENT_TOKEN)
        if status != 201:
            raise SystemExit("enroll %s: %s %s" % (self.agent_id, status, body[:200]))
        self.credential = "Bearer " + json.loads(body)["data"]["credential"]
        status, body = self.call(conn, "POST", "/api/agent/v1/batches", batch(self.agent_id, self.platform_key), self.credential,
                                 "application/x-strata-batch")
        if status != 200:
            raise SystemExit("batch %s: %s %s" % (self.agent_id, status, body[:200]))

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        done = set()
        while not self.stop.is_set():
            try:
                status, body = self.call(conn, "GET", "/api/agent/v1/commands?waitMs=2000", auth=self.credential)
            except OSError:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                continue
            received = time.time() * 1000
            for command in json.loads(body)["data"]["commands"] if status == 200 else []:
                if command["id"] in done:
                    continue
                done.add(command["id"])
                self.latencies.append(received - command["issuedMs"])
                for state in ("accepted", "running", "succeeded"):
                    report = {"state": state} if state != "succeeded" else {"state": state, "exitStatus": 0, "durationMs": 1}
                    self.call(conn, "POST", "/api/agent/v1/commands/" + command["id"], json.dumps(report), self.credential)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--binary")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="strata-groups-bench-")
    server, port = start_server(work, args.binary)
    stop = threading.Event()
    try:
        latencies = []
        agents = [SimulatedAgent(port, index, latencies, stop) for index in range(args.agents)]
        for agent in agents:
            agent.enroll()
        for agent in agents:
            agent.start()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": ADMIN, "Content-Type": "application/json"}
        cpu0 = cpu_seconds(server.pid)
        t0 = time.monotonic()
        ids = []
        for _ in range(args.runs):
            conn.request("POST", "/api/v1/control/group-runs", json.dumps({
                "target": {"kind": "server", "serverType": "nginx"}, "action": "reload", "concurrency": args.concurrency}), headers)
            response = conn.getresponse()
            data = json.loads(response.read())
            if response.status != 201 or len(data["data"]["items"]) != args.agents:
                raise SystemExit("group run refused or incomplete: %s %s" % (response.status, str(data)[:300]))
            ids.append(data["data"]["id"])
        pending, summary = set(ids), {}
        while pending:
            time.sleep(0.2)
            for run_id in list(pending):
                conn.request("GET", "/api/v1/control/group-runs/" + run_id, headers=headers)
                run = json.loads(conn.getresponse().read())["data"]
                if run["state"] != "running":
                    pending.discard(run_id)
                    for key, value in run["summary"].items():
                        summary[key] = summary.get(key, 0) + value
        elapsed = time.monotonic() - t0
        cpu = cpu_seconds(server.pid) - cpu0
        latencies.sort()

        def pct(p):
            return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) if latencies else None
        print(json.dumps({"bench": "control_groups", "agents": args.agents, "group_runs": args.runs, "concurrency": args.concurrency,
                          "commands": summary.get("total", 0), "succeeded": summary.get("succeeded", 0),
                          "seconds_until_all_finished": round(elapsed, 2), "commands_per_s": round(summary.get("total", 0) / elapsed, 1),
                          "queue_to_agent_ms_p50": pct(0.5), "queue_to_agent_ms_p99": pct(0.99),
                          "server_cpu_s": round(cpu, 2), "server_peak_rss_mib": status_mib(server.pid, "VmHWM")}))
    finally:
        stop.set()
        server.terminate()


if __name__ == "__main__":
    main()
