#!/usr/bin/env python3
"""PromQL latency and memory side by side with Prometheus 2.42, in one run, on the same remote-written data.

A real Prometheus 2.42 (the kit's command line: remote-write receiver on, nothing scraped) and a release
`strata server` run at the same time, each on a fresh data directory. Both get the same bytes: the kit's
`rw_load.py` (directory from --kit, default $STRATA_BENCH_KIT or ../shared/bench) sends 10k node_exporter-like
series x 720 samples (2 h at 10 s, job "node") and 160k x 60 (10 min, job "node160k"), both ending at the same
instant; then 2,000 histogram bucket series x 120 (`http_request_duration_seconds_bucket`, 10 `le` each) are
remote-written by this script. After both servers are idle, four queries go to each one's HTTP API (Prometheus:
/api/v1/…, Strata: /prometheus/api/v1/… with basic auth), one warm-up each and then --runs timed requests,
alternating between the servers (Strata first on even runs, Prometheus first on odd ones), each on a fresh
connection with the whole body read:

  query_range_1000_series  query_range of 1,000 raw series over 2 h at step 60 s (120,000 points)
  sum_by_10k_series        instant `sum by (instance)` over 10k of the 160k series, selected by a regex
  rate_100k_series         instant `sum(rate(node_cpu_seconds_total[5m]))` over 102,400 series (1,600 instances
                           x 64; a rate over several metrics would drop the names and collide)
  histogram_quantile       query_range of `histogram_quantile(0.9, sum by (le, handler) (rate(…[5m])))` over
                           the 2,000 bucket series, 20 min at step 60 s

CPU: each server's utime+stime (/proc/PID/stat) over its timed runs, per query — steadier than latency on a
loaded machine, where Strata's query threads (nice 19, so that queries never slow ingest) wait behind every other
process and Prometheus's do not. Memory: before each query's runs, each server's peak RSS mark is reset (`echo 5 > /proc/PID/clear_refs`), so
VmHWM afterwards is the peak during that query's runs; `peak_rss_mib` is that peak and `rss_growth_mib` its rise
over the RSS just before. The warm-up answers of the two servers are compared (same series, values within 1e-6
relative). Prints one JSON line per query (both medians, Strata/Prometheus ratios), then a table and the load
average. Everything listens on 127.0.0.1 and stops by itself."""
import argparse
import base64
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

from benchlib import free_port, rw_labels, rw_sample, status_mib, wait_http, field
from peers import ensure_cache, run_in_group

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "bench"
INTERVAL_MS = 10_000
LE = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
HISTOGRAM_INSTANCES, HISTOGRAM_HANDLERS, HISTOGRAM_SAMPLES = 20, 10, 120


def queries(end_ms):
    """(name, expr, range or None) of each timed query; a range is (start_s, end_s, step_s)."""
    end = end_ms / 1000
    return [
        ("query_range_1000_series", '{job="node",instance=~"node-0000[0-9]:9100"}', (end - 7190, end, 60)),
        ("sum_by_10k_series", 'sum by (instance) ({job="node160k",instance=~"node-000[0-9][0-9]:9100"})', None),
        ("rate_100k_series", 'sum(rate(node_cpu_seconds_total{job="node160k"}[5m]))', None),
        ("histogram_quantile",
         'histogram_quantile(0.9, sum by (le, handler) (rate(http_request_duration_seconds_bucket[5m])))',
         (end - (HISTOGRAM_SAMPLES - 1) * INTERVAL_MS / 1000, end, 60)),
    ]


def histogram_bodies(end_ms):
    """Remote-write bodies (snappy) of the histogram series, time-major, 500 samples each."""
    import cramjam
    rng = random.Random(7)
    series = [(inst, handler) for inst in range(HISTOGRAM_INSTANCES) for handler in range(HISTOGRAM_HANDLERS)]
    counts = {key: [0] * len(LE) for key in series}
    labels = {(key, le): rw_labels({"__name__": "http_request_duration_seconds_bucket", "job": "api",
                                    "instance": "api-%02d:8080" % key[0], "handler": "/h%d" % key[1], "le": le})
              for key in series for le in LE}
    bodies, pending = [], []
    for step in range(HISTOGRAM_SAMPLES):
        ts = end_ms - (HISTOGRAM_SAMPLES - 1 - step) * INTERVAL_MS
        for key in series:
            cumulative = 0
            for index, le in enumerate(LE):
                cumulative += rng.randint(0, 20 if index < 6 else 5)
                counts[key][index] += cumulative
                pending.append(field(1, labels[(key, le)] + rw_sample(float(counts[key][index]), ts)))
                if len(pending) == 500:
                    bodies.append(bytes(cramjam.snappy.compress_raw(b"".join(pending))))
                    pending = []
    if pending:
        bodies.append(bytes(cramjam.snappy.compress_raw(b"".join(pending))))
    return bodies


def post_bodies(port, bodies, auth=None):
    """Sends each remote-write body over one connection; returns the number of non-2xx answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
               "X-Prometheus-Remote-Write-Version": "0.1.0"}
    if auth:
        headers["Authorization"] = auth
    errors = 0
    for body in bodies:
        conn.request("POST", "/api/v1/write", body=body, headers=headers)
        answer = conn.getresponse()
        answer.read()
        errors += answer.status // 100 != 2
    conn.close()
    return errors


class Server:
    """One running server: its process, port, path prefix of the query API and Authorization header."""

    def __init__(self, name, process, port, prefix, auth=None):
        self.name, self.process, self.port, self.prefix, self.auth = name, process, port, prefix, auth

    def write_url(self):
        credentials = "admin:%s@" % PASSWORD if self.auth else ""
        return "http://%s127.0.0.1:%d/api/v1/write" % (credentials, self.port)

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        conn.request("GET", self.prefix + path, headers={"Authorization": self.auth} if self.auth else {})
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
        return answer.status, body

    def cpu_ticks(self):
        with open("/proc/%d/stat" % self.process.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def reset_peak(self):
        with open("/proc/%d/clear_refs" % self.process.pid, "w") as f:
            f.write("5")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_prometheus(work):
    """Prometheus 2.42 as the kit starts it, data in `work`/prom-data."""
    port = free_port()
    with open(os.path.join(work, "prom.yml"), "w") as f:
        f.write("global:\n  scrape_interval: 10s\nscrape_configs: []\n")
    log = open(os.path.join(work, "prometheus.log"), "w")
    process = subprocess.Popen(["prometheus", "--config.file=" + os.path.join(work, "prom.yml"),
                                "--storage.tsdb.path=" + os.path.join(work, "prom-data"),
                                "--web.listen-address=127.0.0.1:%d" % port, "--web.enable-remote-write-receiver"],
                               stdout=log, stderr=subprocess.STDOUT)
    server = Server("prometheus", process, port, "/api/v1")
    try:
        wait_http("http://127.0.0.1:%d/-/ready" % port)
    except BaseException:
        server.stop()
        raise
    return server


def start_strata(work, binary):
    """`binary server` with basic auth, data in `work`/strata-data."""
    port = free_port()
    # The per-address rate limit would slow the loopback loader; the peer has none.
    env = dict(os.environ, STRATA_BOOTSTRAP_ADMIN_PASSWORD=PASSWORD, STRATA_BOOTSTRAP_AGENT_TOKEN="sat_bench",
               STRATA_RATE_LIMIT="0")
    process = subprocess.Popen([binary, "server", "--listen",
                                "127.0.0.1:%d" % port, "--data", os.path.join(work, "strata-data"),
                                "--log-level", "critical"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    auth = "Basic " + base64.b64encode(("admin:" + PASSWORD).encode()).decode()
    server = Server("strata", process, port, "/prometheus/api/v1", auth)
    try:
        wait_http("http://127.0.0.1:%d/healthz" % port)
    except BaseException:
        server.stop()
        raise
    return server


def load(kit, server, caches):
    """Sends every cache with rw_load.py; returns the samples each cache got accepted, and errors."""
    out = []
    for cache, series, samples, job in caches:
        stdout, stderr = run_in_group([sys.executable, os.path.join(kit, "rw_load.py"), "--url", server.write_url(),
                                       "--series", str(series), "--samples-per-series", str(samples),
                                       "--concurrency", "4", "--job", job, "--cache", cache], timeout=1800)
        lines = [line for line in stdout.splitlines() if line.startswith("{")]
        result = json.loads(lines[-1]) if lines else {"error": stderr[-500:]}
        out.append({"job": job, "samples_accepted": result.get("samples_accepted"),
                    "seconds": result.get("seconds"), "http_errors": result.get("http_errors"),
                    "first_error": result.get("first_error")})
    return out


def wait_idle(servers, quiet_s=3.0, limit_s=300):
    """Waits until no server used more than 5 % of a core for `quiet_s` (head persisting, compaction), at most
    `limit_s`; returns the seconds waited."""
    began = time.monotonic()
    tick = os.sysconf("SC_CLK_TCK")
    while time.monotonic() - began < limit_s:
        before = [s.cpu_ticks() for s in servers]
        time.sleep(quiet_s)
        used = [(s.cpu_ticks() - b) / tick for s, b in zip(servers, before)]
        if all(u < 0.05 * quiet_s for u in used):
            break
    return round(time.monotonic() - began, 1)


def query_path(expr, at_ms, window):
    if window is None:
        return "/query?" + urllib.parse.urlencode({"query": expr, "time": "%.3f" % (at_ms / 1000)})
    start, end, step = window
    return "/query_range?" + urllib.parse.urlencode({"query": expr, "start": "%.3f" % start, "end": "%.3f" % end,
                                                     "step": str(step)})


def answer_shape(body):
    """(series, points, {labels: values}) of a query answer."""
    data = json.loads(body)["data"]
    result = data["result"]
    if data["resultType"] == "vector":
        by_labels = {json.dumps(r["metric"], sort_keys=True): [r["value"]] for r in result}
    else:
        by_labels = {json.dumps(r["metric"], sort_keys=True): r["values"] for r in result}
    return len(result), sum(len(v) for v in by_labels.values()), by_labels


def agree(a, b):
    """Whether two answers hold the same series with the same timestamps and values (1e-6 relative)."""
    if a.keys() != b.keys():
        return False
    for key, points in a.items():
        other = b[key]
        if len(points) != len(other):
            return False
        for (t1, v1), (t2, v2) in zip(points, other):
            x, y = float(v1), float(v2)
            if t1 != t2 or not (x == y or abs(x - y) <= 1e-6 * max(abs(x), abs(y)) or (x != x and y != y)):
                return False
    return True


def time_query(servers, name, expr, at_ms, window, runs):
    path = query_path(expr, at_ms, window)
    shapes, figures = {}, {s.name: {"times": [], "cpu_ticks": 0} for s in servers}
    for server in servers:
        server.reset_peak()
        figures[server.name]["rss_before_mib"] = status_mib(server.process.pid, "VmRSS")
        status, body = server.get(path)
        if status != 200:
            raise SystemExit("%s answered %d to %s: %s" % (server.name, status, expr, body[:500]))
        shapes[server.name] = answer_shape(body)
        figures[server.name].update(series=shapes[server.name][0], points=shapes[server.name][1],
                                    response_bytes=len(body))
    for run in range(runs):
        for server in (servers if run % 2 == 0 else servers[::-1]):
            ticks, began = server.cpu_ticks(), time.perf_counter()
            status, _ = server.get(path)
            figures[server.name]["times"].append((time.perf_counter() - began) * 1000)
            figures[server.name]["cpu_ticks"] += server.cpu_ticks() - ticks
            if status != 200:
                raise SystemExit("%s answered %d to %s" % (server.name, status, expr))
    line = {"query": name, "expr": expr, "range": window, "runs": runs,
            "answers_agree": agree(shapes["strata"][2], shapes["prometheus"][2])}
    for server in servers:
        f = figures[server.name]
        times = f.pop("times")
        f.update(cpu_ms_per_query=round(f.pop("cpu_ticks") * 1000 / os.sysconf("SC_CLK_TCK") / runs, 1),
                 median_ms=round(statistics.median(times), 1), min_ms=round(min(times), 1),
                 max_ms=round(max(times), 1), peak_rss_mib=status_mib(server.process.pid, "VmHWM"))
        f["rss_growth_mib"] = round(f["peak_rss_mib"] - f["rss_before_mib"], 1)
        line[server.name] = f
    s, p = line["strata"], line["prometheus"]
    line["ratio_median"] = round(s["median_ms"] / p["median_ms"], 2)
    line["ratio_cpu"] = round(s["cpu_ms_per_query"] / p["cpu_ms_per_query"], 2) if p["cpu_ms_per_query"] else None
    line["ratio_peak_rss"] = round(s["peak_rss_mib"] / p["peak_rss_mib"], 2)
    line["ratio_rss_growth"] = round(s["rss_growth_mib"] / p["rss_growth_mib"], 2) if p["rss_growth_mib"] > 0 else None
    return line


def prepare_caches(kit, cache_dir, cases):
    """The rw_load caches of `cases` ((series, samples, job)), all ending at one instant: reused when the ones in
    `cache_dir` share an end (recorded in end.json), else encoded afresh ending now."""
    os.makedirs(cache_dir, exist_ok=True)
    names = [os.path.join(cache_dir, "qperf-%d-%d-%s-c4.pkl" % case) for case in cases]
    marker = os.path.join(cache_dir, "qperf-end.json")
    end_ms = None
    if os.path.exists(marker) and all(os.path.exists(n) for n in names):
        with open(marker) as f:
            end_ms = json.load(f)["end_ms"]
    if end_ms is None:
        for n in names + [marker]:
            if os.path.exists(n):
                os.remove(n)
        end_ms = int(time.time() * 1000) // INTERVAL_MS * INTERVAL_MS
        for name, (series, samples, job) in zip(names, cases):
            ensure_cache(kit, series, samples, 4, name, ["--job", job, "--end-ms", str(end_ms)])
        with open(marker, "w") as f:
            json.dump({"end_ms": end_ms}, f)
    return end_ms, [(n, *case) for n, case in zip(names, cases)]


def table(lines, loads):
    rows = [["query", "Strata ms", "Prom ms", "ratio", "Strata CPU ms", "Prom CPU ms", "Strata peak MiB",
             "Prom peak MiB", "Strata +MiB",
             "Prom +MiB", "agree"]]
    for l in lines:
        s, p = l["strata"], l["prometheus"]
        rows.append([l["query"], "%.1f" % s["median_ms"], "%.1f" % p["median_ms"], "%.2fx" % l["ratio_median"],
                     "%.1f" % s["cpu_ms_per_query"], "%.1f" % p["cpu_ms_per_query"],
                     "%.1f" % s["peak_rss_mib"], "%.1f" % p["peak_rss_mib"], "%.1f" % s["rss_growth_mib"],
                     "%.1f" % p["rss_growth_mib"], "yes" if l["answers_agree"] else "NO"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    text = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    text.insert(1, "-" * len(text[0]))
    text.append("medians of the timed runs; CPU ms = server utime+stime per query (10 ms ticks, summed over the "
                "runs); peak = VmHWM during the query's runs (reset before them); +MiB = "
                "peak minus RSS before. Load average (1, 5, 15 min) at the start / the queries / the end: %s"
                % " / ".join(" ".join("%.2f" % x for x in l) for l in loads))
    return "\n".join(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kit", default=os.environ.get("STRATA_BENCH_KIT", os.path.join(ROOT, "..", "shared", "bench")))
    parser.add_argument("--runs", type=int, default=10, help="timed runs per query and server (default 10)")
    parser.add_argument("--cache-dir", default="/tmp/peers", help="where the rw_load caches are kept")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/strata"),
                        help="the strata binary (default: the release build)")
    parser.add_argument("--keep-data", metavar="DIR",
                        help="keep both servers' data in DIR and, when DIR already holds this run's data (same "
                             "end time), restart the servers on it instead of loading again")
    parser.add_argument("--only", help="comma-separated query names to time (default all)")
    args = parser.parse_args()
    if not os.path.exists(os.path.join(args.kit, "rw_load.py")):
        print(json.dumps({"skipped": "benchmark kit not found at %s (use --kit)" % args.kit}))
        return
    if not shutil.which("prometheus"):
        print(json.dumps({"skipped": "prometheus is not installed (make deps-bench installs it)"}))
        return
    if not os.path.exists(args.binary):
        sys.exit("no strata binary at %s (make build)" % args.binary)
    loads = [os.getloadavg()]
    end_ms, caches = prepare_caches(args.kit, args.cache_dir, [(10_000, 720, "node"), (160_000, 60, "node160k")])
    work = args.keep_data or tempfile.mkdtemp(prefix="promql-sbs-")
    marker = os.path.join(work, "loaded.json")
    loaded = False
    if args.keep_data and os.path.exists(marker):
        with open(marker) as f:
            loaded = json.load(f).get("end_ms") == end_ms
    if args.keep_data and not loaded and os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work, exist_ok=True)
    servers = []
    try:
        servers.append(start_strata(work, args.binary))
        servers.append(start_prometheus(work))
        setup = {"end_ms": end_ms, "load": {}, "reused_data": loaded}
        histograms = histogram_bodies(end_ms) if not loaded else []
        for server in servers if not loaded else []:
            setup["load"][server.name] = load(args.kit, server, caches)
            setup["load"][server.name].append({"job": "api", "http_errors": post_bodies(server.port, histograms,
                                                                                       server.auth)})
        if args.keep_data and not loaded:
            with open(marker, "w") as f:
                json.dump({"end_ms": end_ms}, f)
        setup["idle_wait_s"] = wait_idle(servers)
        setup["rss_mib"] = {s.name: status_mib(s.process.pid, "VmRSS") for s in servers}
        print(json.dumps(setup), flush=True)
        loads.append(os.getloadavg())
        lines = []
        for name, expr, window in queries(end_ms):
            if args.only and name not in args.only.split(","):
                continue
            line = time_query(servers, name, expr, end_ms, window, args.runs)
            line["loadavg"] = [round(x, 2) for x in os.getloadavg()]
            lines.append(line)
            print(json.dumps(line), flush=True)
        loads.append(os.getloadavg())
        print()
        print(table(lines, loads))
    finally:
        for server in servers:
            server.stop()
        if not args.keep_data:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
