#!/usr/bin/env python3
"""Alerting beside ingest (issue 19): a release `strata server` takes a paced remote-write load (default 100k samples/s:
10,000 series, 500 samples per request, 4 connections) twice on the same server — first with no alert definitions, then
with 10,000 threshold definitions (one on each series' metric, never crossed, so every sample is evaluated) plus one
probe definition whose metric a fifth connection moves across its threshold every 0.5 s, notifying a webhook receiver
on loopback. Prints one JSON line: the probe's latency from the write's acknowledgement (204) to the webhook's receipt
(p50/p99/max), and samples/s, request p99 and server CPU of both phases.

With --rate 0 the load is not paced: the two phases then compare the most the server takes with and without the
definitions.

Usage: python3 bench/alerting_latency.py [--kit ../shared/bench] [--seconds 20] [--rate 100000 | 0] [--definitions 10000]"""
import argparse
import base64
import http.client
import http.server
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT, ADMIN_PASSWORD, AGENT_TOKEN, cpu_seconds, free_port, wait_http  # noqa: E402

AUTH = "Basic " + base64.b64encode(("admin:" + ADMIN_PASSWORD).encode()).decode()
HEADERS = {"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf", "Authorization": AUTH,
           "X-Prometheus-Remote-Write-Version": "0.1.0"}


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def request(port, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data, method=method,
                                 headers={"Authorization": AUTH, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read())


class Receiver(http.server.BaseHTTPRequestHandler):
    received = []  # (monotonic time, status)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        now = time.monotonic()
        try:
            Receiver.received.append((now, json.loads(body).get("status")))
        except ValueError:
            pass
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def bodies(kit, phase, series, batch, steps, start_ms, step_ms):
    """Remote-write bodies, time-major: for each step every series once, `batch` samples per body."""
    sys.path.insert(0, kit)
    import rw_load  # the kit's protobuf and snappy helpers
    labels = [rw_load.enc_labels({"__name__": "bench_m%d" % i, "job": "bench", "phase": phase, "instance": "i%d" % (i % 100)})
              for i in range(series)]
    out = []
    for step in range(steps):
        ts = start_ms + step * step_ms
        sample = rw_load.ld(2, b"\x09" + struct.pack("<d", float(step % 50)) + b"\x10" + rw_load.varint(ts))
        for first in range(0, series, batch):
            payload = b"".join(rw_load.ld(1, labels[i] + sample) for i in range(first, min(series, first + batch)))
            out.append((min(batch, series - first), rw_load.snappy_block(payload)))
    return out


def probe_body(kit, value, ts):
    import rw_load
    labels = rw_load.enc_labels({"__name__": "bench_probe", "job": "bench"})
    sample = rw_load.ld(2, b"\x09" + struct.pack("<d", value) + b"\x10" + rw_load.varint(ts))
    return rw_load.snappy_block(rw_load.ld(1, labels + sample))


def load(port, work, rate, connections):
    """Sends `work` paced at `rate` samples/s over `connections`; returns (samples, seconds, latencies)."""
    per_request = work[0][0]
    interval = per_request / rate * connections if rate > 0 else 0  # 0: as fast as the server answers
    latencies, sent = [], [0]
    lock = threading.Lock()

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start = time.monotonic()
        for n, (count, body) in enumerate(work[index::connections]):
            target = start + n * interval
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            t0 = time.monotonic()
            conn.request("POST", "/api/v1/write", body=body, headers=HEADERS)
            response = conn.getresponse()
            response.read()
            with lock:
                latencies.append(time.monotonic() - t0)
                if response.status == 204:
                    sent[0] += count
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent[0], time.monotonic() - t0, latencies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kit", default=os.path.join(ROOT, "..", "shared", "bench"))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=int, default=100_000)
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--definitions", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    sys.path.insert(0, args.kit)
    # Unpaced (--rate 0): as many steps as 1M samples/s would need, sent as fast as the server takes them.
    effective = args.rate if args.rate > 0 else 1_000_000
    steps = max(1, int(args.seconds * effective / args.series))
    now_ms = int(time.time() * 1000)
    step_ms = max(1, int(1000 * args.series / effective))
    start_ms = now_ms - steps * step_ms - 60_000
    phase_a = bodies(args.kit, "a", args.series, 500, steps, start_ms, step_ms)
    phase_b = bodies(args.kit, "b", args.series, 500, steps, start_ms, step_ms)

    hook_port = free_port()
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Receiver)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp(prefix="strata-alert-bench-")
    port = free_port()
    env = dict(os.environ, STRATA_BOOTSTRAP_ADMIN_PASSWORD=ADMIN_PASSWORD, STRATA_BOOTSTRAP_AGENT_TOKEN=AGENT_TOKEN, STRATA_RATE_LIMIT="0")
    server = subprocess.Popen([os.path.join(ROOT, ".build/release/strata"), "server", "--listen", "127.0.0.1:%d" % port,
                               "--data", work + "/server", "--log-level", "critical"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http("http://127.0.0.1:%d/healthz" % port)
        cpu0 = cpu_seconds(server.pid)
        samples_a, seconds_a, latencies_a = load(port, phase_a, args.rate, args.connections)
        cpu_a = cpu_seconds(server.pid) - cpu0

        t0 = time.monotonic()
        for i in range(args.definitions):
            request(port, "POST", "/api/v1/alert-definitions", {
                "name": "bench-%d" % i, "scope": {"series": {"job": "bench"}},
                "condition": {"type": "threshold", "metric": "bench_m%d" % (i % args.series), "op": ">", "threshold": 1e12}})
        define_seconds = time.monotonic() - t0
        request(port, "POST", "/api/v1/alert-definitions", {
            "name": "probe", "scope": {"series": {"job": "bench"}},
            "condition": {"type": "threshold", "metric": "bench_probe", "op": ">", "threshold": 100}, "flapThreshold": 0,
            "notify": [{"type": "webhook", "url": "http://127.0.0.1:%d/hook" % hook_port}]})

        acks = []
        stop = threading.Event()

        def probe():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            value = 200.0
            while not stop.is_set():
                conn.request("POST", "/api/v1/write", body=probe_body(args.kit, value, int(time.time() * 1000)), headers=HEADERS)
                response = conn.getresponse()
                response.read()
                acks.append((time.monotonic(), "firing" if value > 100 else "resolved"))
                value = 0.0 if value > 100 else 200.0
                stop.wait(0.5)
        prober = threading.Thread(target=probe)
        prober.start()
        cpu0 = cpu_seconds(server.pid)
        samples_b, seconds_b, latencies_b = load(port, phase_b, args.rate, args.connections)
        cpu_b = cpu_seconds(server.pid) - cpu0
        stop.set()
        prober.join()
        time.sleep(2)
        # Each acknowledged crossing is matched with the first receipt of its status after it.
        received = list(Receiver.received)
        delays = []
        used = 0
        for ack_time, status in acks:
            for index in range(used, len(received)):
                if received[index][1] == status and received[index][0] >= ack_time:
                    delays.append(received[index][0] - ack_time)
                    used = index + 1
                    break
        result = {
            "bench": "alerting_latency", "series": args.series, "target_samples_per_s": args.rate, "definitions": args.definitions + 1,
            "define_seconds": round(define_seconds, 1),
            "probe_crossings": len(acks), "notifications_matched": len(delays),
            "ack_to_webhook_ms_p50": round(1000 * percentile(delays, 0.5), 1) if delays else None,
            "ack_to_webhook_ms_p99": round(1000 * percentile(delays, 0.99), 1) if delays else None,
            "ack_to_webhook_ms_max": round(1000 * max(delays), 1) if delays else None,
            "without_definitions": {"samples_per_s": round(samples_a / seconds_a), "request_p99_ms": round(1000 * percentile(latencies_a, 0.99), 2),
                                    "server_cpu_s": round(cpu_a, 2)},
            "with_definitions": {"samples_per_s": round(samples_b / seconds_b), "request_p99_ms": round(1000 * percentile(latencies_b, 0.99), 2),
                                 "server_cpu_s": round(cpu_b, 2)},
        }
        result["throughput_ratio"] = round(result["with_definitions"]["samples_per_s"] / max(1, result["without_definitions"]["samples_per_s"]), 3)
        print(json.dumps(result))
    finally:
        server.terminate()
        server.wait(timeout=60)
        hook.shutdown()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
