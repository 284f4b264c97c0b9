#!/usr/bin/env python3
"""Ingest latency with and without an expensive regular-expression query running beside it (issue 15).

Two runs, each on a fresh release `strata server` (query_timeout 1 s): the server is seeded with --wide series
whose label `v` holds a long value, then the kit's `rw_load.py` remote-writes --series x --samples while
(second run only) a loop of viewers sends a selector whose regex must be matched against every long value —
far more work than its timeout allows, so each such query should end as a 503 `timeout`. Prints one JSON line
per run (remote-write samples/s, request latency p50/p99, the queries' outcomes and durations) and one with
the p99 ratio (target: <= 2). Everything listens on 127.0.0.1 and stops by itself."""
import argparse
import base64
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import cramjam

from benchlib import ADMIN_PASSWORD, ROOT, field, free_port, varint, wait_http

AUTH = "Basic " + base64.b64encode(("admin:" + ADMIN_PASSWORD).encode()).decode()


def write_request(series, now_ms):
    """A remote-write request body: one sample per series at now_ms."""
    body = bytearray()
    for labels in series:
        ts = b"".join(field(1, field(1, k.encode()) + field(2, v.encode())) for k, v in sorted(labels.items()))
        sample = b"\x09" + struct.pack("<d", 1.0) + b"\x10" + varint(now_ms)
        body += field(1, ts + field(2, sample))
    return bytes(cramjam.snappy.compress_raw(bytes(body)))


def post(url, body):
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": AUTH, "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.status


def seed(base, wide, length):
    rng = random.Random(7)
    # Before the load's first sample (2 h for 720 samples at 10 s): a tenant's newest sample sets its
    # out-of-bounds window, as Prometheus's head does, and the load must not start behind it.
    now = int(time.time() * 1000) - 3 * 3_600_000
    series = [{"__name__": "wide", "v": "".join(rng.choice("ab") for _ in range(length)) + str(i)} for i in range(wide)]
    for start in range(0, wide, 1000):
        post(base + "/api/v1/write", write_request(series[start:start + 1000], now))


def query_loop(base, selector, stop, outcomes):
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"select": selector})
    while not stop.is_set():
        began = time.time()
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": AUTH}), timeout=120) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        outcomes.append((status, time.time() - began))


def run(kit, args, cache, with_query):
    binary = os.path.join(ROOT, ".build/release/strata")
    work = tempfile.mkdtemp(prefix="strata-qi-")
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    env = dict(os.environ, STRATA_BOOTSTRAP_ADMIN_PASSWORD=ADMIN_PASSWORD, STRATA_BOOTSTRAP_AGENT_TOKEN="sat_bench",
               STRATA_QUERY_TIMEOUT=args.query_timeout, STRATA_RATE_LIMIT="0")
    server = subprocess.Popen([binary, "server", "--listen", "127.0.0.1:%d" % port, "--data", work, "--log-level", "critical"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()
    outcomes = []
    threads = []
    try:
        wait_http(base + "/healthz")
        seed(base, args.wide, args.value_length)
        if with_query:
            for _ in range(args.viewers):
                thread = threading.Thread(target=query_loop, args=(base, args.selector, stop, outcomes), daemon=True)
                thread.start()
                threads.append(thread)
            time.sleep(0.5)
        load = subprocess.run([sys.executable, os.path.join(kit, "rw_load.py"), "--url",
                               "http://admin:%s@127.0.0.1:%d/api/v1/write" % (ADMIN_PASSWORD, port), "--series", str(args.series),
                               "--samples-per-series", str(args.samples), "--concurrency", "4", "--cache", cache],
                              capture_output=True, text=True, timeout=1200)
        stop.set()
        for thread in threads:
            thread.join(timeout=150)
        result = json.loads(load.stdout.strip().splitlines()[-1])
        statuses = {}
        for status, _ in outcomes:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        durations = sorted(d for _, d in outcomes)
        return {"run": "with regex query" if with_query else "quiet", "samples_per_s": result["samples_per_s"],
                "http_errors": result["http_errors"], "req_latency_ms_p50": result.get("req_latency_ms_p50"),
                "req_latency_ms_p99": result.get("req_latency_ms_p99"), "queries": statuses,
                "query_seconds_max": round(durations[-1], 2) if durations else None}
    finally:
        stop.set()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kit", default=os.path.join(ROOT, "..", "shared", "bench"))
    parser.add_argument("--series", type=int, default=10000)
    parser.add_argument("--samples", type=int, default=720)
    parser.add_argument("--wide", type=int, default=20000, help="series with a long label value to match")
    parser.add_argument("--value-length", type=int, default=1000)
    parser.add_argument("--selector", default='{v=~"(a|b|ab|ba)*((a+)+b)+(a|b)*c"}')
    parser.add_argument("--viewers", type=int, default=2)
    parser.add_argument("--query-timeout", default="1s")
    args = parser.parse_args()
    cache = os.path.join(tempfile.gettempdir(), "strata-qi-%d-%d.pkl" % (args.series, args.samples))
    quiet = run(args.kit, args, cache, with_query=False)
    print(json.dumps(quiet), flush=True)
    loaded = run(args.kit, args, cache, with_query=True)
    print(json.dumps(loaded), flush=True)
    if quiet["req_latency_ms_p99"] and loaded["req_latency_ms_p99"]:
        print(json.dumps({"p99_ratio": round(loaded["req_latency_ms_p99"] / quiet["req_latency_ms_p99"], 2),
                          "samples_per_s_ratio": round(loaded["samples_per_s"] / quiet["samples_per_s"], 2), "target_p99_ratio": 2}))


if __name__ == "__main__":
    main()
