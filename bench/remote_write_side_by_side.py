#!/usr/bin/env python3
"""Remote-write ingest side by side with Prometheus 2.42, in one run, on identical pre-encoded bodies.

Uses the peer benchmark kit (`rw_load.py`, `bench_prom.py`; directory from --kit, default
../shared/bench). For each workload it runs Prometheus through the kit's `bench_prom.py` (when the
`prometheus` binary is installed), then a fresh release `strata server`: the same `rw_load.py` cache is
sent with basic auth, peak RSS (VmHWM) is read, the server is stopped gracefully (SIGTERM persists the
head as a block) and bytes per sample are taken from the raw block files (the 1 min and 1 h rollups, which
Prometheus does not keep, are reported on their own). Prints one JSON line per server and
workload, then one with the ratios. Everything listens on 127.0.0.1 and stops by itself."""
import argparse
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import free_port, wait_http

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))




def hwm(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def status_kib(pid, keys=("VmRSS", "RssAnon", "RssFile", "RssShmem")):
    with open("/proc/%d/status" % pid) as f:
        return {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in f) if k in keys}


def sample_peak(pid, stop, peak):
    """Keeps in `peak` the RssAnon / RssFile / RssShmem breakdown seen at the highest VmRSS (every 20 ms)."""
    while not stop.wait(0.02):
        try:
            now = status_kib(pid)
        except (OSError, ValueError):
            return
        if now.get("VmRSS", 0) > peak.get("VmRSS", 0):
            peak.update(now)


def run_strata(kit, series, samples, cache):
    binary = os.path.join(ROOT, ".build/release/strata")
    work = tempfile.mkdtemp(prefix="strata-rw-")
    port = free_port()
    env = dict(os.environ, STRATA_BOOTSTRAP_ADMIN_PASSWORD="bench", STRATA_BOOTSTRAP_AGENT_TOKEN="sat_bench")
    server = subprocess.Popen([binary, "server", "--listen", "127.0.0.1:%d" % port, "--data", work,
                               "--log-level", "critical"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http("http://127.0.0.1:%d/healthz" % port)
        idle, peak_parts, stop = status_kib(server.pid), {}, threading.Event()
        sampler = threading.Thread(target=sample_peak, args=(server.pid, stop, peak_parts))
        sampler.start()
        try:
            load = subprocess.run([sys.executable, os.path.join(kit, "rw_load.py"), "--url",
                                   "http://admin:bench@127.0.0.1:%d/api/v1/write" % port, "--series", str(series),
                                   "--samples-per-series", str(samples), "--concurrency", "4", "--cache", cache],
                                  capture_output=True, text=True, timeout=1200)
        finally:
            stop.set()
            sampler.join()
        result = json.loads(load.stdout.strip().splitlines()[-1])
        peak = hwm(server.pid)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=300)
        def size(level):
            return sum(os.path.getsize(f) for f in glob.glob(os.path.join(work, "tsdb/blocks", level, "*", "*")))
        block_bytes = size("raw")
        rollup_bytes = size("1m") + size("1h")
        accepted = result["samples_accepted"]
        return {"server": "strata", "series": series, "samples_per_series": samples,
                "samples_per_s": result["samples_per_s"], "http_errors": result["http_errors"],
                "req_latency_ms_p50": result.get("req_latency_ms_p50"), "peak_rss_mib": round(peak / 2**20, 1),
                "bytes_per_sample": round(block_bytes / accepted, 3) if accepted else None,
                "rollup_bytes_per_sample": round(rollup_bytes / accepted, 3) if accepted else None,
                "client_cpu_cores": result.get("client_cpu_cores"),
                "idle_rss_mib": {k: round(v / 1024, 1) for k, v in idle.items()},
                "at_peak_rss_mib": {k: round(v / 1024, 1) for k, v in peak_parts.items()}}
    finally:
        if server.poll() is None:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


def run_prometheus(kit, series, samples, cache):
    if not shutil.which("prometheus"):
        return {"server": "prometheus", "skipped": "prometheus is not installed (make bench installs it)"}
    out = subprocess.run([sys.executable, os.path.join(kit, "bench_prom.py"), "--series", str(series),
                          "--samples-per-series", str(samples), "--concurrency", "4", "--cache", cache, "--snapshot",
                          "--port", str(free_port()), "--data", tempfile.mkdtemp(prefix="prom-rw-")],
                         capture_output=True, text=True, timeout=1800)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["server"] = "prometheus"
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kit", default=os.path.join(ROOT, "..", "shared", "bench"))
    parser.add_argument("--cases", default="10000x720,100000x120")
    args = parser.parse_args()
    if not os.path.exists(os.path.join(args.kit, "rw_load.py")):
        print(json.dumps({"skipped": "benchmark kit not found at %s (use --kit)" % args.kit}))
        return
    os.makedirs("/tmp/peers", exist_ok=True)
    for case in args.cases.split(","):
        series, samples = (int(x) for x in case.split("x"))
        cache = "/tmp/peers/c-%d-%d-c4.pkl" % (series, samples)
        prom = run_prometheus(args.kit, series, samples, cache)
        print(json.dumps(prom), flush=True)
        strata = run_strata(args.kit, series, samples, cache)
        print(json.dumps(strata), flush=True)
        if "skipped" not in prom:
            p_rate = prom.get("load", {}).get("samples_per_s")
            p_rss = (prom.get("peak_rss_bytes") or 0) / 2**20
            p_bps = prom.get("block", {}).get("bytes_per_sample_total")
            print(json.dumps({"case": case, "ingest_ratio": round(strata["samples_per_s"] / p_rate, 2) if p_rate else None,
                              "peak_rss_ratio": round(strata["peak_rss_mib"] / p_rss, 2) if p_rss else None,
                              "bytes_per_sample_ratio": round(strata["bytes_per_sample"] / p_bps, 2) if p_bps else None,
                              "bytes_per_sample_with_rollups_ratio":
                                  round((strata["bytes_per_sample"] + strata["rollup_bytes_per_sample"]) / p_bps, 2) if p_bps else None}),
                  flush=True)


if __name__ == "__main__":
    main()
