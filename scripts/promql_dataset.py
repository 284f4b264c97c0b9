#!/usr/bin/env python3
"""The PromQL conformance data set: about 110 series over 3 hours at 15 s, deterministic from a seed.

Every value comes from a small PRNG of our own (splitmix64), one stream per series, so the data do not depend on
the Python version and adding a series does not change the others. Only the timestamps move with the anchor: the
data end at `end_ms` (the harness takes "now" minus 15 minutes, rounded down to the minute, so that every query
time is in the past and every remote-write receiver accepts the samples when they are sent oldest first).

What the series exercise (times are minutes after the first sample, `S`):
- `up{job,instance}` for api-1..3, db-1..2, batch-1: api-2 is down (0) from 40 to 55; api-3 disappears with a
  staleness marker at 100 and returns at 130; db-2 stops at 150 without a marker (only the 5 m lookback hides it);
  batch-1 lives from 60 to 90 and ends with markers.
- counters `http_requests_total{method,code}` on the api instances, with jittered scrape times (a fixed offset per
  instance ± 25 ms): api-2's series get markers at 40 (failed scrapes) and restart from 0 at 55; api-3 restarts at
  130; api-1 GET/200 resets to exactly 0 at 120; api-1 POST/500 goes down by 1 at 75 (a reset too).
- classic histograms `http_request_duration_seconds_{bucket,sum,count}` on the api instances, with the same
  outages and resets; `rpc_latency_seconds_*` on db-1 (no `+Inf` bucket) and db-2; `broken_latency_seconds_bucket`
  with buckets that are not monotonic; `request_size_bytes_bucket` whose `le` values are written "1e3" and "10000.0".
- gauges: `node_memory_free_bytes` (gaps 20–24 on db-1, within the lookback, and 30–42 on db-2, beyond it),
  `node_memory_total_bytes` (constant; same labels as the free bytes, so dropping the name collides),
  `node_temperature_celsius{sensor}` (NaN from 70 to 73 on db-1/cpu, negative values), `process_max_fds` (constant),
  `edge_values{case}` (NaN, ±Inf, 0, negatives, 1e300, 1e-300, a ramp, values in [-1, 1] for the inverse trig
  functions), `build_info{version}` (1, for group_left joins), `batch_last_success_timestamp_seconds` (Unix times,
  for the date functions), `batch_processed_total`, and `odd_labels` (quotes, backslashes, braces, non-ASCII,
  and a label with an empty value, which means no label).

`python3 scripts/promql_dataset.py --summary` prints the series; `--dump` prints every sample as JSON lines.
"""
import argparse
import json
import math
import struct
import sys

STEP_MS = 15_000
MINUTES = 180
STEPS = MINUTES * 60_000 // STEP_MS  # 720 intervals, 721 samples on the grid

# The staleness marker Prometheus writes when a series disappears: a NaN with this exact bit pattern.
STALE_NAN_BITS = 0x7FF0000000000002


class Stale:
    """The staleness marker as a sample value (kept apart from ordinary NaN, whose bits differ)."""

    def __repr__(self):
        return "STALE"


STALE = Stale()


def value_bytes(value):
    """The 8 little-endian bytes of a sample value, with the exact staleness-marker bits for STALE."""
    if value is STALE:
        return struct.pack("<Q", STALE_NAN_BITS)
    return struct.pack("<d", value)


class Rng:
    """splitmix64: a deterministic stream per series, the same on every platform and Python version."""

    def __init__(self, *key):
        h = 0xCBF29CE484222325  # FNV-1a of the key, so each series has its own stream
        for b in repr(key).encode():
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        self.state = h

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def uniform(self, lo=0.0, hi=1.0):
        return lo + (hi - lo) * ((self.next() >> 11) / float(1 << 53))

    def randint(self, lo, hi):
        """An integer in [lo, hi]."""
        return lo + self.next() % (hi - lo + 1)

    def gauss(self, mu=0.0, sigma=1.0):
        u1 = max(self.uniform(), 1e-300)
        return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * self.uniform())


class Series:
    """One series: its labels (including `__name__`) and samples [(timestamp_ms, value or STALE)], oldest first."""

    def __init__(self, labels):
        self.labels = dict(labels)
        self.samples = []

    def add(self, t_ms, value):
        if self.samples and t_ms <= self.samples[-1][0]:
            raise ValueError("samples out of order in %r" % self.labels)
        self.samples.append((t_ms, value))


API = ["api-1:8080", "api-2:8080", "api-3:8080"]
DB = ["db-1:9100", "db-2:9100"]
BATCH = "batch-1:9091"
# A fixed scrape offset per api target (real scrapes are spread over the interval), plus ±25 ms jitter.
API_OFFSET_MS = {"api-1:8080": 1_234, "api-2:8080": 5_678, "api-3:8080": 9_012}
HTTP_BUCKETS = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
RPC_BUCKETS = ["0.001", "0.01", "0.1", "1"]


def minute(step):
    return step * STEP_MS / 60_000


def api_state(instance, step):
    """'up', 'down' (scrape fails: markers at the first failed scrape), 'gone' (no target: markers once) or
    'restart' (first scrape of a restarted process: counters begin again)."""
    m = minute(step)
    if instance == "api-2:8080":
        if 40 <= m < 55:
            return "down"
        if m == 55:
            return "restart"
    if instance == "api-3:8080":
        if 100 <= m < 130:
            return "gone"
        if m == 130:
            return "restart"
    return "up"


def build(end_ms):
    """All series, with their samples, for data that end at `end_ms` (a multiple of 15 s is usual, not needed)."""
    start_ms = end_ms - STEPS * STEP_MS
    grid = [start_ms + i * STEP_MS for i in range(STEPS + 1)]
    out = []

    def new(**labels):
        s = Series(labels)
        out.append(s)
        return s

    # --- up
    for inst in API:
        s = new(__name__="up", job="api", instance=inst)
        rng = Rng("up", inst)
        for i, t in enumerate(grid):
            st = api_state(inst, i)
            t_ms = t + API_OFFSET_MS[inst] + rng.randint(-25, 25)
            if st == "gone":
                if minute(i) == 100:
                    s.add(t_ms, STALE)
                continue
            s.add(t_ms, 0.0 if st == "down" else 1.0)
    for inst in DB:
        s = new(__name__="up", job="db", instance=inst)
        for i, t in enumerate(grid):
            if inst == "db-2:9100" and minute(i) > 150:
                break
            s.add(t, 1.0)
    s = new(__name__="up", job="batch", instance=BATCH)
    for i, t in enumerate(grid):
        if 60 <= minute(i) <= 90:
            s.add(t, 1.0)
        elif minute(i) == 90.25:
            s.add(t, STALE)

    # --- api counters and histograms, sharing each target's scrape times and outages
    for inst in API:
        jitter = Rng("scrape", inst)
        times = [t + API_OFFSET_MS[inst] + jitter.randint(-25, 25) for t in grid]
        counters = []
        for method, code, mean in (("GET", "200", 50), ("GET", "500", 1), ("POST", "200", 12), ("POST", "500", 0.3)):
            counters.append((new(__name__="http_requests_total", job="api", instance=inst, method=method, code=code),
                             Rng("http", inst, method, code), mean, [0.0]))
        buckets = [new(__name__="http_request_duration_seconds_bucket", job="api", instance=inst, le=le)
                   for le in HTTP_BUCKETS]
        h_sum = new(__name__="http_request_duration_seconds_sum", job="api", instance=inst)
        h_count = new(__name__="http_request_duration_seconds_count", job="api", instance=inst)
        hist_rng = Rng("hist", inst)
        hist = {"counts": [0] * len(HTTP_BUCKETS), "sum": 0.0}
        marked = False
        for i, t_ms in enumerate(times):
            st = api_state(inst, i)
            if st in ("down", "gone"):
                if not marked:
                    for s, _, _, _ in counters:
                        s.add(t_ms, STALE)
                    for s in buckets + [h_sum, h_count]:
                        s.add(t_ms, STALE)
                    marked = True
                continue
            marked = False
            if st == "restart":
                for c in counters:
                    c[3][0] = 0.0
                hist = {"counts": [0] * len(HTTP_BUCKETS), "sum": 0.0}
            for s, rng, mean, value in counters:
                if i > 0:
                    value[0] += max(0, round(rng.gauss(mean * 15, math.sqrt(mean * 15) + 0.5)))
                m = minute(i)
                if inst == "api-1:8080" and s.labels["method"] == "GET" and s.labels["code"] == "200" and m == 120:
                    value[0] = 0.0
                if inst == "api-1:8080" and s.labels["method"] == "POST" and s.labels["code"] == "500" and m == 75:
                    value[0] = max(0.0, value[0] - 1)
                s.add(t_ms, value[0])
            if i > 0:
                for _ in range(hist_rng.randint(0, 30)):
                    obs = math.exp(hist_rng.gauss(-2.2, 1.1))
                    hist["sum"] += obs
                    for b, le in enumerate(HTTP_BUCKETS):
                        if obs <= float(le):
                            hist["counts"][b] += 1
            for b, s in enumerate(buckets):
                s.add(t_ms, float(hist["counts"][b]))
            h_sum.add(t_ms, round(hist["sum"], 6))
            h_count.add(t_ms, float(hist["counts"][-1]))

    # --- db: rpc histograms (db-1 lacks +Inf), memory gauges with gaps, temperatures with NaN, constants
    for inst in DB:
        les = RPC_BUCKETS + (["+Inf"] if inst == "db-2:9100" else [])
        rb = [new(__name__="rpc_latency_seconds_bucket", job="db", instance=inst, le=le) for le in les]
        rs = new(__name__="rpc_latency_seconds_sum", job="db", instance=inst)
        rc = new(__name__="rpc_latency_seconds_count", job="db", instance=inst)
        free = new(__name__="node_memory_free_bytes", job="db", instance=inst)
        total = new(__name__="node_memory_total_bytes", job="db", instance=inst)
        temps = [new(__name__="node_temperature_celsius", job="db", instance=inst, sensor=sensor)
                 for sensor in ("cpu", "board")]
        fds = new(__name__="process_max_fds", job="db", instance=inst)
        rng = Rng("db", inst)
        counts, total_sum, mem = [0] * len(les), 0.0, 2.0e9 if inst == "db-1:9100" else 5.5e9
        temp = [55.0, -4.0] if inst == "db-1:9100" else [61.0, 3.0]
        for i, t in enumerate(grid):
            m = minute(i)
            if inst == "db-2:9100" and m > 150:
                break
            for _ in range(rng.randint(0, 12) if i else 0):
                obs = math.exp(rng.gauss(-4.5, 1.5))
                total_sum += obs
                for b, le in enumerate(les):
                    if obs <= float(le):
                        counts[b] += 1
            for b, s in enumerate(rb):
                s.add(t, float(counts[b]))
            rs.add(t, round(total_sum, 9))
            rc.add(t, float(counts[-1]))
            mem = max(1e8, mem + rng.gauss(0, 4e6))
            gap = (inst == "db-1:9100" and 20 <= m < 24) or (inst == "db-2:9100" and 30 <= m < 42)
            if not gap:
                free.add(t, float(round(mem)))
            total.add(t, 8.0e9 if inst == "db-1:9100" else 16.0e9)
            for k, s in enumerate(temps):
                temp[k] += rng.gauss(0, 0.4)
                if inst == "db-1:9100" and k == 0 and 70 <= m < 73:
                    s.add(t, math.nan)
                else:
                    s.add(t, round(temp[k], 2))
            fds.add(t, 1024.0)

    s_b = [new(__name__="broken_latency_seconds_bucket", job="db", instance="db-1:9100", le=le)
           for le in ("0.1", "1", "+Inf")]
    rng = Rng("broken")
    c = [0.0, 0.0, 0.0]
    for i, t in enumerate(grid):
        c[0] += rng.randint(0, 10)
        c[1] = c[0] + rng.randint(0, 5)
        c[2] = c[1] + rng.randint(0, 3)
        row = list(c)
        if i % 7 == 3:
            row[1] = row[0] - 2  # a bucket below the one before it
        if i % 11 == 5:
            row[2] = row[1] - 1
        for s, v in zip(s_b, row):
            s.add(t, float(v))

    s_sz = [new(__name__="request_size_bytes_bucket", job="api", instance="api-1:8080", le=le)
            for le in ("100", "1e3", "10000.0", "+Inf")]
    rng = Rng("size")
    c = [0, 0, 0, 0]
    for i, t in enumerate(grid):
        for _ in range(rng.randint(0, 20) if i else 0):
            obs = 10 ** rng.uniform(1, 4.5)
            for b, le in enumerate((100, 1000, 10000, math.inf)):
                if obs <= le:
                    c[b] += 1
        for s, v in zip(s_sz, c):
            s.add(t, float(v))

    # --- build info, for joins
    for inst in API + DB:
        version = "1.5.0" if inst in ("api-3:8080", "db-2:9100") else "1.4.2"
        s = new(__name__="build_info", job=inst.split("-")[0], instance=inst, version=version, goversion="go1.19")
        for i, t in enumerate(grid):
            if inst == "db-2:9100" and minute(i) > 150:
                break
            if inst in API and api_state(inst, i) == "gone":
                continue
            s.add(t, 1.0)

    # --- the batch job: lives from 60 to 90, then markers
    processed = new(__name__="batch_processed_total", job="batch", instance=BATCH)
    last_ok = new(__name__="batch_last_success_timestamp_seconds", job="batch", instance=BATCH)
    rng = Rng("batch")
    n, last = 0.0, None
    for i, t in enumerate(grid):
        m = minute(i)
        if 60 <= m <= 90:
            n += rng.randint(0, 400)
            if last is None or i % 20 == 0:
                last = t / 1000.0 - 7.5
            processed.add(t, n)
            last_ok.add(t, last)
        elif m == 90.25:
            processed.add(t, STALE)
            last_ok.add(t, STALE)

    # --- edge values
    edge = {}
    for case in ("nan", "inf", "neg_inf", "zero", "negative", "big", "tiny", "ramp", "unit", "steps"):
        edge[case] = new(__name__="edge_values", job="misc", instance="edge", case=case)
    rng = Rng("edge")
    for i, t in enumerate(grid):
        edge["nan"].add(t, math.nan if i % 4 else float(i))
        edge["inf"].add(t, math.inf if i % 5 == 0 else float(i % 13))
        edge["neg_inf"].add(t, -math.inf)
        edge["zero"].add(t, 0.0)
        edge["negative"].add(t, -3.75 - (i % 3))
        edge["big"].add(t, 1e300 * (1 + i % 3))
        edge["tiny"].add(t, 1e-300 * (1 + i % 2))
        edge["ramp"].add(t, 0.5 * i - 100.0)
        edge["unit"].add(t, round(rng.uniform(-1.0, 1.0), 4))
        edge["steps"].add(t, float((i // 8) % 4))

    # --- odd label values (escaping in JSON and in label_replace/label_join)
    odd = new(__name__="odd_labels", job="misc", instance="edge", path="/users/{id}", quote='say "hi" \\ bye',
              text="naïve ☃ 日本")
    for i, t in enumerate(grid):
        odd.add(t, float(i % 10))
    # An empty label value means "no such label": Prometheus drops it when it stores the series.
    empty = new(__name__="odd_labels", job="misc", instance="edge", path="/empty", empty="")
    for i, t in enumerate(grid):
        empty.add(t, float(i % 7))

    return out


def summary(series):
    """A line per metric name: series count, samples, markers, first and last timestamp."""
    by_name = {}
    for s in series:
        n = s.labels["__name__"]
        d = by_name.setdefault(n, {"series": 0, "samples": 0, "stale_markers": 0})
        d["series"] += 1
        d["samples"] += len(s.samples)
        d["stale_markers"] += sum(1 for _, v in s.samples if v is STALE)
    return by_name


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--end-ms", type=int, default=1_700_000_100_000, help="timestamp of the last grid sample")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--summary", action="store_true", help="series and samples per metric name")
    g.add_argument("--dump", action="store_true", help="every series as a JSON line (value \"stale\" for markers)")
    args = ap.parse_args()
    series = build(args.end_ms)
    if args.summary:
        by_name = summary(series)
        for name, d in sorted(by_name.items()):
            print("%-40s %3d series %6d samples %3d markers" % (name, d["series"], d["samples"], d["stale_markers"]))
        print("total: %d series, %d samples" % (len(series), sum(len(s.samples) for s in series)))
        return
    for s in series:
        def enc(v):
            if v is STALE:
                return "stale"
            if math.isnan(v) or math.isinf(v):
                return str(v)
            return v
        json.dump({"labels": s.labels, "samples": [[t, enc(v)] for t, v in s.samples]}, sys.stdout,
                  ensure_ascii=False)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
