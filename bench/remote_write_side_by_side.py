#!/usr/bin/env python3
"""Remote-write ingest side by side with Prometheus 2.42 and VictoriaMetrics 1.79, in one run, on identical
pre-encoded bodies.

Uses the peer benchmark kit (`rw_load.py`, `bench_prom.py`, `bench_vm.py`; directory from --kit, default
$STRATA_BENCH_KIT or ../shared/bench). For each case (--cases, default 10000x720 and 100000x120) and each number
of connections (--concurrency, default 4 and 16) it encodes the bodies once into a cache (/tmp/peers, before any
server starts; the shards are part of the bodies, so there is one cache per case and concurrency), then runs one
after another, each on a fresh data directory: Prometheus (`bench_prom.py`), VictoriaMetrics (`bench_vm.py`) and
a release `strata server` with basic auth and its per-address rate limit off (STRATA_RATE_LIMIT=0).
Figures for every server: accepted samples/s, server CPU seconds during the load (utime+stime from
/proc/PID/stat before and after), CPU seconds per million samples, peak RSS (VmHWM), and the whole data
directory after a graceful stop (the sum of all file sizes under it, as `du -sb`) in bytes per sample — for
Strata split into raw blocks, 1 min + 1 h rollups, WAL, catalog and the rest, for Prometheus its WAL (wal/ and
chunks_head/) and, for reference, the snapshot block of the head before the stop. Prints one JSON line per
server, case and concurrency (Strata's carries the ratios), then one aligned summary table. Everything listens
on 127.0.0.1 and stops by itself; Strata acknowledges a write only after fdatasync, the peers do not.
STRATA_BINARY names another strata binary (an A/B against another build).

Trials: this machine's speed drifts by about 15 % between loads a minute apart, for every server alike, so one load
per server compares two moments as much as two servers. With --repeat N (default 3) VictoriaMetrics and Strata each
run every case N times, alternating (VictoriaMetrics, Strata, VictoriaMetrics, Strata, ...), each trial on a fresh
data directory; every figure in the table is the median of a server's trials, the ratios are those of the medians,
and the "samples/s trials" column lists each trial's rate. Prometheus, the reference and not one of issue 18's
goals, runs once per case (in the first round) to keep the bench's length reasonable. One JSON line per trial
("trial": 1..N), then one per server with the medians ("summary": true; Strata's carries the ratios)."""
import argparse
import json
import statistics
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import cpu_seconds, free_port, wait_http
from peers import ensure_cache, figures, run_in_group, run_prometheus, run_victoriametrics, tree_bytes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVERS = ("prometheus", "victoriametrics", "strata")
TITLES = {"prometheus": "Prometheus 2.42", "victoriametrics": "VictoriaMetrics 1.79", "strata": "Strata"}


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


def strata_part(relative):
    """The part of Strata's data directory a file belongs to."""
    parts = relative.split(os.sep)
    if parts[:3] == ["tsdb", "blocks", "raw"]:
        return "raw_blocks"
    if parts[:2] == ["tsdb", "blocks"] and len(parts) > 2 and parts[2] in ("1m", "1h"):
        return "rollups"
    if parts[:2] == ["tsdb", "wal"]:
        return "wal"
    if parts[0].startswith("catalog.sqlite"):
        return "catalog"
    return "other"


def stop_gracefully(server, timeout=300):
    """SIGTERM, then waits (wait4, for the CPU of the whole life including the stop) up to `timeout` s, then
    SIGKILL. Returns (seconds to stop, lifetime CPU seconds or None, exit code)."""
    t0 = time.monotonic()
    server.send_signal(signal.SIGTERM)
    while time.monotonic() - t0 < timeout:
        pid, status, usage = os.wait4(server.pid, os.WNOHANG)
        if pid:
            server.returncode = os.waitstatus_to_exitcode(status)
            return round(time.monotonic() - t0, 2), round(usage.ru_utime + usage.ru_stime, 2), server.returncode
        time.sleep(0.05)
    server.kill()
    server.wait()
    return None, None, "killed after %d s" % timeout


def run_strata(kit, series, samples, concurrency, cache):
    binary = os.environ.get("STRATA_BINARY") or os.path.join(ROOT, ".build/release/strata")
    work = tempfile.mkdtemp(prefix="strata-rw-")
    port = free_port()
    # The per-address rate limit (default 2,000 requests/s, docs/server.md) would cap one loopback sender at about
    # 1M samples/s of 500-sample requests; the peers have no such limit, so it is off here.
    env = dict(os.environ, STRATA_BOOTSTRAP_ADMIN_PASSWORD="bench", STRATA_BOOTSTRAP_AGENT_TOKEN="sat_bench",
               STRATA_RATE_LIMIT="0")
    server = subprocess.Popen([binary, "server", "--listen", "127.0.0.1:%d" % port, "--data", work,
                               "--log-level", "critical"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http("http://127.0.0.1:%d/healthz" % port)
        idle, peak_parts, stop = status_kib(server.pid), {}, threading.Event()
        sampler = threading.Thread(target=sample_peak, args=(server.pid, stop, peak_parts))
        sampler.start()
        cpu0 = cpu_seconds(server.pid)
        try:
            out, err = run_in_group([sys.executable, os.path.join(kit, "rw_load.py"), "--url",
                                     "http://admin:bench@127.0.0.1:%d/api/v1/write" % port, "--series", str(series),
                                     "--samples-per-series", str(samples), "--concurrency", str(concurrency),
                                     "--cache", cache], timeout=1200)
        finally:
            stop.set()
            sampler.join()
        cpu = round(cpu_seconds(server.pid) - cpu0, 2)
        lines = [line for line in out.splitlines() if line.startswith("{")]
        load = json.loads(lines[-1]) if lines else {"error": err[-1000:]}
        peak = hwm(server.pid)
        stop_s, lifetime_cpu, exit_code = stop_gracefully(server)
        whole, parts = tree_bytes(work, strata_part)
        result = figures("strata", load, cpu, peak, whole, parts)
        result.update(rate_limit=0, stop_seconds=stop_s, lifetime_cpu_s=lifetime_cpu, exit_code=exit_code,
                      idle_rss_mib={k: round(v / 1024, 1) for k, v in idle.items()},
                      at_peak_rss_mib={k: round(v / 1024, 1) for k, v in peak_parts.items()},
                      parts_bytes={k: v for k, v in sorted(parts.items())})
        return result
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


def median_of(trials):
    """One result whose figures are the medians of the trials' (the first trial's for anything not numeric)."""
    done = [t for t in trials if "skipped" not in t]
    if not done:
        return dict(trials[0])
    merged = dict(done[0])
    for key in ("samples_per_s", "server_cpu_s", "cpu_s_per_million", "peak_rss_mib", "dir_bytes_per_sample",
                "req_latency_ms_p50", "req_latency_ms_p99"):
        values = [t[key] for t in done if isinstance(t.get(key), (int, float))]
        if values:
            merged[key] = statistics.median(values)
    parts = {}
    for name in sorted({name for t in done for name in t.get("parts_bytes_per_sample", {})}):
        parts[name] = statistics.median(t.get("parts_bytes_per_sample", {}).get(name, 0) for t in done)
    if parts:
        merged["parts_bytes_per_sample"] = parts
    merged["http_errors"] = sum(t.get("http_errors") or 0 for t in done)  # every trial's, not a median
    merged["trials"] = len(done)
    merged["samples_per_s_trials"] = [t.get("samples_per_s") for t in done]
    return merged


def ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


def ratios(strata, peer):
    if "skipped" in peer:
        return None
    keys = ("samples_per_s", "server_cpu_s", "cpu_s_per_million", "peak_rss_mib", "dir_bytes_per_sample")
    return {k: ratio(strata.get(k), peer.get(k)) for k in keys}


COLUMNS = [("samples/s", lambda r: r.get("samples_per_s"), "{:,.0f}"),
           ("CPU s", lambda r: r.get("server_cpu_s"), "{:.1f}"),
           ("CPU s/M", lambda r: r.get("cpu_s_per_million"), "{:.2f}"),
           ("peak RSS MiB", lambda r: r.get("peak_rss_mib"), "{:.1f}"),
           ("dir B/sample", lambda r: r.get("dir_bytes_per_sample"), "{:.3f}"),
           ("raw", lambda r: r.get("parts_bytes_per_sample", {}).get("raw_blocks"), "{:.3f}"),
           ("rollups", lambda r: r.get("parts_bytes_per_sample", {}).get("rollups"), "{:.3f}"),
           ("WAL", lambda r: r.get("parts_bytes_per_sample", {}).get("wal"), "{:.3f}"),
           ("catalog", lambda r: r.get("parts_bytes_per_sample", {}).get("catalog"), "{:.3f}"),
           ("HTTP errors", lambda r: r.get("http_errors"), "{}"),
           ("samples/s trials", lambda r: r.get("samples_per_s_trials"),
            lambda v: " ".join("%.2fM" % (x / 1e6) for x in v))]
RATIO_COLUMNS = 5  # samples/s … dir B/sample have ratios


def table(rows):
    """One aligned plain-text table: per case and concurrency a row per server, then Strata/VM and Strata/Prom."""
    header = ["case", "conn", "server"] + [name for name, _, _ in COLUMNS]
    lines = [header]
    for (case, concurrency), results in rows:
        by_server = {r["server"]: r for r in results}
        for server in SERVERS:
            r = by_server.get(server, {})
            if "skipped" in r or not r:
                lines.append([case, str(concurrency), TITLES[server], "skipped"] + [""] * (len(COLUMNS) - 1))
                continue
            cells = []
            for _, get, fmt in COLUMNS:
                value = get(r)
                cells.append("-" if value is None else fmt(value) if callable(fmt) else fmt.format(value))
            lines.append([case, str(concurrency), TITLES[server]] + cells)
        strata = by_server.get("strata", {})
        for peer, label in (("victoriametrics", "Strata/VM"), ("prometheus", "Strata/Prom")):
            other = by_server.get(peer, {})
            if "skipped" in other or "skipped" in strata or not other or not strata:
                continue
            cells = []
            for _, get, _ in COLUMNS[:RATIO_COLUMNS]:
                value = ratio(get(strata), get(other))
                cells.append("-" if value is None else "%.2fx" % value)
            lines.append([case, str(concurrency), label] + cells + [""] * (len(COLUMNS) - RATIO_COLUMNS))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    def render(line):
        return "  ".join(c.ljust(w) if i < 3 or i == len(line) - 1 else c.rjust(w)
                     for i, (c, w) in enumerate(zip(line, widths))).rstrip()
    out = [render(lines[0]), render(["-" * w for w in widths])] + [render(line) for line in lines[1:]]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_kit = os.environ.get("STRATA_BENCH_KIT", os.path.join(ROOT, "..", "shared", "bench"))
    parser.add_argument("--kit", default=default_kit,
                        help="the peer kit (default $STRATA_BENCH_KIT, else ../shared/bench)")
    parser.add_argument("--cases", default="10000x720,100000x120")
    parser.add_argument("--concurrency", default="4,16", help="connections, comma separated (default 4,16)")
    parser.add_argument("--servers", default=",".join(SERVERS), help="which of %s to run" % ",".join(SERVERS))
    parser.add_argument("--cache-dir", default="/tmp/peers")
    parser.add_argument("--repeat", type=int, default=3,
                        help="trials of VictoriaMetrics and Strata per case, alternating; figures are medians "
                             "(default 3; Prometheus runs once)")
    args = parser.parse_args()
    if args.repeat < 1:
        sys.exit("--repeat must be at least 1")
    if not os.path.exists(os.path.join(args.kit, "rw_load.py")):
        print(json.dumps({"skipped": "benchmark kit not found at %s (use --kit)" % args.kit}))
        return
    if not os.path.exists(os.environ.get("STRATA_BINARY") or os.path.join(ROOT, ".build/release/strata")):
        sys.exit("no release build at .build/release/strata (make build)")
    servers = [s for s in SERVERS if s in args.servers.split(",")]
    runners = {"prometheus": run_prometheus, "victoriametrics": run_victoriametrics, "strata": run_strata}
    os.makedirs(args.cache_dir, exist_ok=True)
    rows = []
    loads = [os.getloadavg()]
    for case in args.cases.split(","):
        series, samples = (int(x) for x in case.split("x"))
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            cache = os.path.join(args.cache_dir, "c-%d-%d-c%d.pkl" % (series, samples, concurrency))
            ensure_cache(args.kit, series, samples, concurrency, cache)
            trials = {server: [] for server in servers}
            for trial in range(1, args.repeat + 1):
                for server in servers:
                    if server == "prometheus" and trial > 1:
                        continue
                    loads.append(os.getloadavg())
                    result = runners[server](args.kit, series, samples, concurrency, cache)
                    result.update(case=case, series=series, samples_per_series=samples, concurrency=concurrency,
                                  trial=trial, loadavg_before=[round(x, 2) for x in loads[-1]])
                    trials[server].append(result)
                    print(json.dumps(result), flush=True)
            results = []
            for server in servers:
                result = median_of(trials[server])
                result.update(summary=True)
                result.pop("trial", None)
                if server == "strata":
                    by_server = {r["server"]: r for r in results}
                    result["ratios"] = {peer: ratios(result, by_server.get(peer, {"skipped": "not run"}))
                                        for peer in ("victoriametrics", "prometheus")}
                results.append(result)
                print(json.dumps(result), flush=True)
            rows.append(((case, concurrency), results))
    print()
    print(table(rows))
    print("Figures: medians of %d alternating trials of VictoriaMetrics and Strata (Prometheus: one); ratios of the "
          "medians." % args.repeat)
    print("raw for Prometheus: its head snapshotted as a block before the stop (not in dir B/sample); WAL for "
          "Prometheus: wal/ + chunks_head/. CPU s: server utime+stime during the load. Load average before the "
          "runs (1 min): %s." % " ".join("%.1f" % l[0] for l in loads))


if __name__ == "__main__":
    main()
