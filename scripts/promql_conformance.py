#!/usr/bin/env python3
"""PromQL conformance: the same data and queries to Prometheus 2.42 and to Strata, answers compared series by series.

Starts a Prometheus (the reference) on a free 127.0.0.1 port with a temporary data directory, remote-writes the
data set of `promql_dataset.py` (ending 15 minutes before now) to it and to the target under test, then runs every
expression of the corpus (Tests/IntegrationTests/Fixtures/promql/corpus.txt) against both: as instant queries at
seven times and as range queries over three windows with different steps. Two answers agree when both succeed with
the same resultType, the same label sets, the same timestamps and values equal within a relative 1e-9 (NaN equals
NaN, ±Inf equal only themselves), or when both fail with the same errorType and HTTP status. For a top-level
sort()/sort_desc() the order of the values must agree as well. A few calls of the metadata API (series, labels,
label values) and API errors (bad parameters) are compared the same way, and so are the requests Grafana 10's
Prometheus data source sends (Fixtures/promql/grafana-requests.json: GET and form POST, Grafana's headers and time
formats; family `grafana`).

Usage:
  promql_conformance.py --self-check                        a second Prometheus plays the target: must agree 100 %
  promql_conformance.py --strata URL --user U --password P  Strata (fresh data directory): remote write to
                                                            URL/prometheus/api/v1/write, queries under URL/prometheus/api/v1/
  promql_conformance.py --start-strata BINARY               starts `BINARY server` itself on a free loopback port with
                                                            a temporary data directory, and stops it at the end
  --allow-differences FILE                                  answers listed there (deliberate, documented differences)
                                                            do not fail the run; they are counted apart
Prints a table of agreements per corpus family and the first mismatches with both answers; exits 1 on any
mismatch unless --report-only. Standard library only; needs the `prometheus` binary (make deps-test installs it).
"""
import argparse
import base64
import concurrent.futures
import json
import math
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promql_dataset  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.join(ROOT, "Tests/IntegrationTests/Fixtures/promql/corpus.txt")
GRAFANA_REQUESTS = os.path.join(ROOT, "Tests/IntegrationTests/Fixtures/promql/grafana-requests.json")
REL_TOL = 1e-9


# ------------------------------------------------------------------------------------------------ remote write
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(number, payload):
    """A length-delimited protobuf field (wire type 2)."""
    return varint((number << 3) | 2) + varint(len(payload)) + payload


def encode_timeseries(labels, samples):
    """prometheus.TimeSeries: repeated Label labels = 1 (name = 1, value = 2), repeated Sample samples = 2
    (double value = 1, int64 timestamp = 2). Labels sorted by name, as Prometheus sends them."""
    body = b"".join(field_bytes(1, field_bytes(1, k.encode()) + field_bytes(2, v.encode()))
                    for k, v in sorted(labels.items()))
    for t, v in samples:
        body += field_bytes(2, b"\x09" + promql_dataset.value_bytes(v) + b"\x10" + varint(t))
    return field_bytes(1, body)  # WriteRequest.timeseries = 1


def snappy_block(data):
    """Snappy block format with literals only: valid snappy that every decoder reads (no compression, which
    loopback does not need). Layout: varint(uncompressed length), then literal elements of at most 64 KiB."""
    out = bytearray(varint(len(data)))
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2, n & 0xFF, n >> 8])
        out += chunk
    return bytes(out)


def write_requests(series, window_ms=10 * 60_000):
    """Request bodies, oldest first: every series' samples of one 10-minute window per request (time-major, like a
    Prometheus sender), so no sample falls behind a receiver's out-of-bounds window (1 h behind its newest)."""
    first = min(s.samples[0][0] for s in series if s.samples)
    last = max(s.samples[-1][0] for s in series if s.samples)
    bodies = []
    w0 = first
    while w0 <= last:
        parts = []
        for s in series:
            chunk = [(t, v) for t, v in s.samples if w0 <= t < w0 + window_ms]
            if chunk:
                parts.append(encode_timeseries(s.labels, chunk))
        if parts:
            bodies.append((len(parts), snappy_block(b"".join(parts))))
        w0 += window_ms
    return bodies


# ------------------------------------------------------------------------------------------------ targets
class Target:
    """A server under comparison: where to remote-write, the base of its query API, and its credentials."""

    def __init__(self, name, write_url, api_base, user=None, password=None):
        self.name, self.write_url, self.api_base = name, write_url, api_base.rstrip("/") + "/"
        self.auth = None
        if user is not None:
            self.auth = "Basic " + base64.b64encode(("%s:%s" % (user, password or "")).encode()).decode()

    def request(self, method, url, body=None, headers=None, timeout=60):
        """(status, body bytes) of one HTTP request; HTTP errors are answers too, no connection is status 0."""
        h = dict(headers or {})
        if self.auth:
            h["Authorization"] = self.auth
        req = urllib.request.Request(url, data=body, headers=h, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            return 0, ("no answer: %s" % e).encode()

    def write(self, bodies):
        for n, body in bodies:
            status, text = self.request("POST", self.write_url, body, {
                "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
                "X-Prometheus-Remote-Write-Version": "0.1.0"})
            if status // 100 != 2:
                raise SystemExit("%s did not take a remote write of %d series: %d %s" % (
                    self.name, n, status, text[:300].decode("utf-8", "replace").strip()))

    def api(self, path, params, method="GET", form=None, headers=None):
        """(HTTP status, decoded JSON or {"unparsable": text}) of GET api_base + path (or `method` with a
        form-encoded body, as Grafana POSTs)."""
        url = self.api_base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
        h, body = dict(headers or {}), None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        status, body = self.request(method, url, body, h)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {"unparsable": body[:500].decode("utf-8", "replace")}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrometheusProcess:
    """A Prometheus 2.42 with the remote-write receiver, a temporary data directory, no scrapes and a 5 m lookback,
    listening on a free loopback port. stop() ends it (SIGTERM, then SIGKILL) and removes the directory."""

    def __init__(self, binary, name, extra_args=()):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="promql-conformance-%s-" % name)
        self.port = free_port()
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            # evaluation_interval is the default resolution of subqueries (`x[10m:]`): 1m, Prometheus's default.
            f.write("global:\n  scrape_interval: 15s\n  evaluation_interval: 1m\nscrape_configs: []\n")
        self.log = open(os.path.join(self.dir, "prometheus.log"), "wb")
        flags = ["--config.file=" + config, "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
                 "--web.listen-address=127.0.0.1:%d" % self.port, "--web.enable-remote-write-receiver",
                 "--query.lookback-delta=5m", "--storage.tsdb.retention.time=30d"]
        overridden = {x.split("=")[0] for x in extra_args}  # a flag given twice is an error to Prometheus
        flags = [x for x in flags if x.split("=")[0] not in overridden] + list(extra_args)
        self.proc = subprocess.Popen([binary] + flags, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.url = "http://127.0.0.1:%d" % self.port
        self.target = Target(name, self.url + "/api/v1/write", self.url + "/api/v1/")

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("%s exited at start (code %s): %s" % (self.name, self.proc.returncode, self.tail()))
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=1) as r:
                    if r.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        raise SystemExit("%s not ready after %d s: %s" % (self.name, timeout, self.tail()))

    def tail(self):
        self.log.flush()
        with open(os.path.join(self.dir, "prometheus.log"), "rb") as f:
            return f.read()[-2000:].decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class StrataProcess:
    """A Strata server (`BINARY server`) on a free 127.0.0.1 port with a temporary data directory and a known
    bootstrap admin password; stop() ends it (SIGTERM, then SIGKILL) and removes the directory."""

    PASSWORD = "conformance-admin-password"

    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="promql-conformance-strata-")
        self.port = free_port()
        env = dict(os.environ, STRATA_BOOTSTRAP_ADMIN_PASSWORD=self.PASSWORD, STRATA_LOG_LEVEL="warning")
        self.log = open(os.path.join(self.dir, "strata.log"), "wb")
        self.proc = subprocess.Popen([binary, "server", "--listen", "127.0.0.1:%d" % self.port, "--data",
                                      os.path.join(self.dir, "data")], stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        self.url = "http://127.0.0.1:%d" % self.port
        self.target = Target("strata", self.url + "/prometheus/api/v1/write", self.url + "/prometheus/api/v1/",
                             "admin", self.PASSWORD)

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("strata exited at start (code %s): %s" % (self.proc.returncode, self.tail()))
            status, _ = self.target.request("GET", self.url + "/prometheus/api/v1/labels", timeout=1)
            if status == 200:
                return
            time.sleep(0.2)
        raise SystemExit("strata not ready after %d s: %s" % (timeout, self.tail()))

    def tail(self):
        self.log.flush()
        with open(os.path.join(self.dir, "strata.log"), "rb") as f:
            return f.read()[-2000:].decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def load_allowed(path):
    """Deliberate differences: lines `family | expression or API check name | reason` (# starts a comment). Every
    query of a listed expression may differ; each entry needs a reason."""
    allowed = {}
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = [x.strip() for x in line.split(" | ")]
            if len(parts) != 3 or not all(parts):
                raise SystemExit("%s:%d: expected `family | expression | reason`" % (path, n))
            allowed[(parts[0], parts[1])] = parts[2]
    return allowed


# ------------------------------------------------------------------------------------------------ corpus
class Expression:
    def __init__(self, family, text, line, expect):
        self.family, self.text, self.line, self.expect = family, text, line, expect


EXPECT = re.compile(r"\s+#\s*expect:\s*(bad_data|execution)\s*$")


def load_corpus(path):
    """Expressions grouped by `# family: NAME` headers. Other lines starting with # are comments. A line may end
    with `# expect: bad_data` or `# expect: execution`: Prometheus must answer it with that error (for
    execution errors: in at least one query, since they depend on the data at the time)."""
    family, out = None, []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            stripped = line.strip()
            if not stripped:
                continue
            m = re.match(r"#\s*family:\s*(\S+)\s*$", stripped)
            if m:
                family = m.group(1)
                continue
            if stripped.startswith("#"):
                continue
            if family is None:
                raise SystemExit("%s:%d: expression before the first '# family:' header" % (path, n))
            expect = None
            m = EXPECT.search(line)
            if m:
                expect = m.group(1)
                line = line[:m.start()]
            out.append(Expression(family, line.strip(), n, expect))
    return out


def is_top_level_sort(expr):
    """True when the whole expression is sort(...) or sort_desc(...): then the order of the answer matters."""
    m = re.match(r"\s*sort(_desc)?\s*\(", expr)
    if not m:
        return False
    depth, quote, i = 0, None, m.end() - 1
    while i < len(expr):
        c = expr[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return expr[i + 1:].strip() == ""
        i += 1
    return False


# ------------------------------------------------------------------------------------------------ query plan
def fmt_time(ms):
    return "%d.%03d" % divmod(ms, 1000)


def query_plan(start_ms, end_ms):
    """The instant query times and range windows, in ms, with names relative to the first sample S."""
    def at(minutes, seconds=0):
        return start_ms + int(minutes * 60_000) + seconds * 1000
    instants = [("S+2m30s", at(2, 30)),        # rate windows reach back before the first sample
                ("S+47m", at(47)),              # api-2 down (markers), db-2 memory gap beyond the lookback
                ("S+71m", at(71)),              # batch-1 alive, db-1 cpu temperature NaN
                ("S+103m", at(103)),            # api-3 gone (marker 3 m ago), batch ended (marker)
                ("S+155m", at(155)),            # db-2's last samples (at 150, no marker) exactly 5 m old: still seen
                ("E", end_ms),                  # the last grid sample
                ("E+6m", end_ms + 6 * 60_000)]  # every series beyond the 5 m lookback
    ranges = [("S..E+6m step 60s", start_ms, end_ms + 6 * 60_000, 60_000),
              ("S+95m..S+110m step 15s", at(95), at(110), 15_000),
              ("S+10m..S+170m step 453s", at(10), at(170), 453_000)]
    return instants, ranges


# ------------------------------------------------------------------------------------------------ comparison
def num(text):
    return float(text)  # Prometheus writes "NaN", "+Inf", "-Inf" and Go float formatting


def values_agree(a, b):
    if a == b:
        return True
    if math.isnan(a) and math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def ms(t):
    return round(float(t) * 1000)


def label_key(metric):
    return tuple(sorted(metric.items()))


def show_labels(key):
    return "{" + ", ".join('%s="%s"' % kv for kv in key) + "}"


def compare(ref, got, ordered=False):
    """None when the answers (HTTP status, JSON) agree, else a reason that shows where they differ."""
    try:
        return compare_answers(ref, got, ordered)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
        return "malformed answer (%s: %s)" % (type(e).__name__, e)


def compare_answers(ref, got, ordered):
    (rs, rj), (gs, gj) = ref, got
    if "unparsable" in rj or "unparsable" in gj:
        return "%s answer is not JSON" % ("reference" if "unparsable" in rj else "target")
    r_ok, g_ok = rj.get("status") == "success", gj.get("status") == "success"
    if not r_ok or not g_ok:
        if r_ok != g_ok:
            return "reference %s, target %s" % (rj.get("status") or rs, gj.get("status") or gs)
        if rj.get("errorType") != gj.get("errorType"):
            return "errorType %r vs %r" % (rj.get("errorType"), gj.get("errorType"))
        if rs != gs:
            return "HTTP status %d vs %d" % (rs, gs)
        return None
    rd, gd = rj.get("data"), gj.get("data")
    if isinstance(rd, list) or isinstance(gd, list):  # metadata API: labels, label values, series
        norm = lambda d: sorted(json.dumps(x, sort_keys=True, ensure_ascii=False) for x in (d or []))  # noqa: E731
        if not isinstance(gd, list):
            return "data is not a list"
        missing, extra = sorted(set(norm(rd)) - set(norm(gd))), sorted(set(norm(gd)) - set(norm(rd)))
        if missing or extra or len(rd) != len(gd):
            return "data differ: missing %s, extra %s, %d vs %d entries" % (missing[:3], extra[:3], len(rd), len(gd))
        return None
    if not isinstance(gd, dict) or rd.get("resultType") != gd.get("resultType"):
        return "resultType %r vs %r" % (rd.get("resultType"), gd.get("resultType") if isinstance(gd, dict) else gd)
    kind, rr, gr = rd["resultType"], rd["result"], gd["result"]
    if kind in ("scalar", "string"):
        if not isinstance(gr, list) or len(gr) != 2 or ms(rr[0]) != ms(gr[0]) or type(rr[1]) is not type(gr[1]):
            return "%s %r vs %r" % (kind, rr, gr)
        if kind == "string":
            return None if rr[1] == gr[1] else "string %r vs %r" % (rr[1], gr[1])
        return None if values_agree(num(rr[1]), num(gr[1])) else "scalar %s vs %s" % (rr[1], gr[1])
    field = "value" if kind == "vector" else "values"

    def index(result, side):
        out = {}
        for series in result:
            key = label_key(series["metric"])
            if key in out:
                raise ValueError("%s answer has %s twice" % (side, show_labels(key)))
            points = [series[field]] if kind == "vector" else series[field]
            out[key] = {ms(t): v for t, v in points}
            if len(out[key]) != len(points):
                raise ValueError("%s answer has a timestamp twice in %s" % (side, show_labels(key)))
        return out
    ri, gi = index(rr, "reference"), index(gr, "target")
    missing, extra = sorted(set(ri) - set(gi)), sorted(set(gi) - set(ri))
    if missing or extra:
        parts = []
        if missing:
            parts.append("target lacks %d series: %s" % (len(missing), ", ".join(show_labels(k) for k in missing[:3])))
        if extra:
            parts.append("target has %d extra: %s" % (len(extra), ", ".join(show_labels(k) for k in extra[:3])))
        return "; ".join(parts)
    for key in sorted(ri):
        rp, gp = ri[key], gi[key]
        for t in sorted(set(rp) | set(gp)):
            rv, gv = rp.get(t), gp.get(t)
            if rv is None or gv is None or type(rv) is not type(gv) or not values_agree(num(rv), num(gv)):
                return "%s at %s: %s vs %s (%d vs %d points)" % (
                    show_labels(key), fmt_time(t), "none" if rv is None else json.dumps(rv),
                    "none" if gv is None else json.dumps(gv), len(rp), len(gp))
    if ordered and kind == "vector":
        rv, gv = [num(x["value"][1]) for x in rr], [num(x["value"][1]) for x in gr]
        if not all(values_agree(a, b) for a, b in zip(rv, gv)):
            return "order of values differs: %s vs %s" % (rv[:8], gv[:8])
    return None


def wait_visible(ref, target, end_ms, timeout=30):
    """Waits until the target counts the same samples per series as the reference over the whole data (a receiver
    may acknowledge a write before its queries see it); returns the seconds waited, or None when it never did."""
    params = {"query": 'count_over_time({__name__=~".+"}[4h])', "time": fmt_time(end_ms + 6 * 60_000)}
    expected = ref.api("query", params)
    t0 = time.time()
    while True:
        if compare(expected, target.api("query", params)) is None:
            return time.time() - t0
        if time.time() - t0 > timeout:
            return None
        time.sleep(0.5)


# ------------------------------------------------------------------------------------------------ API checks
def api_checks(start_ms, end_ms):
    """(family, name, path, params) for the metadata API and for API errors (bad parameters)."""
    s, e = fmt_time(start_ms), fmt_time(end_ms)
    rng = {"start": s, "end": e}
    return [
        ("api_metadata", "labels", "labels", dict(rng)),
        ("api_metadata", "labels match[] up", "labels", dict(rng, **{"match[]": "up"})),
        ("api_metadata", "label job values", "label/job/values", dict(rng)),
        ("api_metadata", "label __name__ values", "label/__name__/values", dict(rng)),
        ("api_metadata", "label le values match[]", "label/le/values", dict(rng, **{"match[]": "rpc_latency_seconds_bucket"})),
        ("api_metadata", "label values of an unknown label", "label/nonexistent/values", dict(rng)),
        ("api_metadata", "series up", "series", dict(rng, **{"match[]": "up"})),
        ("api_metadata", "series two matchers", "series", dict(rng, **{"match[]": ['up{job="api"}', "process_max_fds"]})),
        ("api_metadata", "series regex", "series", dict(rng, **{"match[]": '{__name__=~"node_.+",instance=~"db-1.*"}'})),
        ("api_metadata", "series odd labels", "series", dict(rng, **{"match[]": "odd_labels"})),
        ("api_metadata", "series in the last 10 minutes", "series",
         {"start": fmt_time(end_ms - 600_000), "end": e, "match[]": 'up'}),
        # batch-1's last real samples are at S+90m, its staleness markers at S+90m15s: Prometheus lists a series
        # whose only sample in the window is a marker.
        ("api_metadata", "series with only a staleness marker in the window", "series",
         {"start": fmt_time(start_ms + 5_410_000), "end": fmt_time(start_ms + 5_420_000), "match[]": '{job="batch"}'}),
        ("api_metadata", "labels with only a staleness marker in the window", "labels",
         {"start": fmt_time(start_ms + 5_410_000), "end": fmt_time(start_ms + 5_420_000), "match[]": '{job="batch"}'}),
        ("api_params", "series without match[]", "series", dict(rng)),
        ("api_params", "series with a bad matcher", "series", dict(rng, **{"match[]": "up{"})),
        ("api_params", "query without query", "query", {"time": e}),
        ("api_params", "query with a bad time", "query", {"query": "up", "time": "yesterday"}),
        ("api_params", "query_range end before start", "query_range", {"query": "up", "start": e, "end": s, "step": "60"}),
        ("api_params", "query_range step 0", "query_range", {"query": "up", "start": s, "end": e, "step": "0"}),
        ("api_params", "query_range negative step", "query_range", {"query": "up", "start": s, "end": e, "step": "-15"}),
        ("api_params", "query_range over 11000 points", "query_range", {"query": "up", "start": s, "end": e, "step": "0.5"}),
        ("api_params", "query_range without step", "query_range", {"query": "up", "start": s, "end": e}),
        ("api_params", "query_range step as a duration", "query_range", {"query": "up", "start": s, "end": e, "step": "5m"}),
        ("api_params", "query with a bad timeout", "query", {"query": "up", "time": e, "timeout": "soon"}),
    ]


def grafana_checks(start_ms, end_ms, path=GRAFANA_REQUESTS):
    """(name, method, path, query, form, headers, compare) of the recorded Grafana 10 requests, times filled in:
    queries with seconds as Grafana's backend writes them, resource calls with whole seconds snapped to the minute."""
    with open(path, encoding="utf-8") as f:
        recorded = json.load(f)
    subst = {"START": "%d" % (start_ms // 1000), "END": "%d" % (end_ms // 1000),
             "MID": "%d" % ((start_ms + (end_ms - start_ms) // 2) // 60_000 * 60)}

    def fill(values):
        if values is None:
            return None
        return {k: [string.Template(x).substitute(subst) for x in v] if isinstance(v, list)
                else string.Template(v).substitute(subst) for k, v in values.items()}
    return [(r["name"], r["method"], r["path"], fill(r.get("query")) or {}, fill(r.get("form")),
             recorded["headers"], r.get("compare", "answer")) for r in recorded["requests"]]


def same_shape(ref, got):
    """None when both answers succeed and their data have the same keys with values of the same JSON types."""
    (rs, rj), (gs, gj) = ref, got
    if rs != gs or rj.get("status") != gj.get("status"):
        return "HTTP %d %s vs %d %s" % (rs, rj.get("status"), gs, gj.get("status"))
    rd, gd = rj.get("data"), gj.get("data")
    if not isinstance(rd, dict) or not isinstance(gd, dict):
        return "data %s vs %s" % (type(rd).__name__, type(gd).__name__)
    shape = lambda d: {k: type(v).__name__ for k, v in d.items()}  # noqa: E731
    return None if shape(rd) == shape(gd) else "data shape %s vs %s" % (shape(rd), shape(gd))


def compare_grafana(ref, got, how):
    if how == "shape":
        return same_shape(ref, got)
    (rs, rj), (gs, gj) = ref, got
    rd, gd = rj.get("data"), gj.get("data")
    if isinstance(rd, dict) and "resultType" not in rd and rj.get("status") == "success":  # metadata: a map
        return None if rs == gs and rd == gd else "HTTP %d vs %d, data %s vs %s" % (rs, gs, brief(rj), brief(gj))
    reason = compare(ref, got)
    if reason is None and rs != gs:
        return "HTTP status %d vs %d" % (rs, gs)
    return reason


# ------------------------------------------------------------------------------------------------ run
class Outcome:
    def __init__(self, family, expr, query, ref, got, reason):
        self.family, self.expr, self.query, self.ref, self.got, self.reason = family, expr, query, ref, got, reason


def run_queries(ref, target, corpus, start_ms, end_ms, workers, families=None):
    instants, ranges = query_plan(start_ms, end_ms)
    subst = {"START": fmt_time(start_ms), "END": fmt_time(end_ms),
             "MID": fmt_time(start_ms + (end_ms - start_ms) // 2 + 7_500)}
    jobs = []
    for e in corpus:
        text = string.Template(e.text).safe_substitute(subst)
        ordered = is_top_level_sort(text)
        for name, t in instants:
            jobs.append((e, "instant " + name, "query", {"query": text, "time": fmt_time(t)}, ordered))
        for name, s, u, step in ranges:
            jobs.append((e, "range " + name, "query_range",
                         {"query": text, "start": fmt_time(s), "end": fmt_time(u), "step": "%g" % (step / 1000)},
                         False))
    for family, name, path, params in api_checks(start_ms, end_ms):
        if families and family not in families:
            continue
        jobs.append((Expression(family, name, 0, None), path, path, params, False))

    for name, method, path, query, form, headers, how in grafana_checks(start_ms, end_ms):
        if families and "grafana" not in families:
            continue
        jobs.append((Expression("grafana", name, 0, None), method + " " + path, path, query, (method, form, headers, how)))

    def one(job):
        e, qname, path, params, extra = job
        if isinstance(extra, tuple):  # a recorded Grafana request
            method, form, headers, how = extra
            a = ref.api(path, params, method, form, headers)
            b = target.api(path, params, method, form, headers)
            return Outcome(e.family, e, qname, a, b, compare_grafana(a, b, how))
        a, b = ref.api(path, params), target.api(path, params)
        return Outcome(e.family, e, qname, a, b, compare(a, b, extra))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, jobs))


def corpus_violations(outcomes):
    """Expressions whose reference answers contradict the corpus: an `expect:` error that Prometheus does not
    give, or an error Prometheus gives to an instant query of an expression without `expect:`."""
    by_expr = {}
    for o in outcomes:
        if o.expr.line:
            by_expr.setdefault(o.expr, []).append(o)
    out = []
    for e, os_ in by_expr.items():
        errors = [(o.query, o.ref[1].get("errorType"), o.ref[1].get("error")) for o in os_
                  if o.ref[1].get("status") != "success"]
        if e.expect == "bad_data":
            if len(errors) != len(os_) or any(t != "bad_data" for _, t, _ in errors):
                out.append((e, "expected bad_data in every query, got %d errors of %d" % (len(errors), len(os_))))
        elif e.expect == "execution":
            if not any(t == "execution" for _, t, _ in errors):
                out.append((e, "expected an execution error in some query, got none"))
        else:
            inst = [x for x in errors if x[0].startswith("instant")]
            if inst:
                out.append((e, "unexpected error: %s %s: %s" % inst[0]))
    return out


def brief(answer, limit=400):
    """One line about an answer: HTTP status, error or result type and size, then the start of the JSON."""
    status, j = answer
    if j.get("status") == "error":
        head = "HTTP %d error %s: %s" % (status, j.get("errorType"), j.get("error"))
        return head[:limit]
    data = j.get("data")
    if isinstance(data, dict) and isinstance(data.get("result"), list) and data.get("resultType") in ("vector", "matrix"):
        head = "HTTP %d %s of %d series: " % (status, data["resultType"], len(data["result"]))
        text = json.dumps(data["result"], ensure_ascii=False)
    else:
        head, text = "HTTP %d " % status, json.dumps(j, ensure_ascii=False)
    return head + (text if len(text) <= limit else text[:limit] + " …")


def report(outcomes, violations, max_mismatches, out=sys.stdout):
    fams = {}
    order = []
    for o in outcomes:
        if o.family not in fams:
            fams[o.family] = {"exprs": set(), "queries": 0, "pass": 0, "fail": 0, "ref_errors": 0,
                              "instant": [0, 0], "range": [0, 0]}
            order.append(o.family)
        f = fams[o.family]
        f["exprs"].add(id(o.expr))
        f["queries"] += 1
        ok = o.reason is None
        f["pass" if ok else "fail"] += 1
        if o.ref[1].get("status") != "success":
            f["ref_errors"] += 1
        kind = "range" if o.query.startswith("range") else "instant"
        f[kind][0] += ok
        f[kind][1] += 1
    w = max(len(x) for x in order + ["family"])
    print("%-*s %6s %8s %8s %6s %14s %14s %10s" % (w, "family", "exprs", "queries", "pass", "fail",
                                                 "instant pass", "range pass", "ref errors"), file=out)
    tot = {"exprs": 0, "queries": 0, "pass": 0, "fail": 0, "ref_errors": 0, "instant": [0, 0], "range": [0, 0]}
    for name in order:
        f = fams[name]
        print("%-*s %6d %8d %8d %6d %14s %14s %10d" % (
            w, name, len(f["exprs"]), f["queries"], f["pass"], f["fail"], "%d/%d" % tuple(f["instant"]),
            "%d/%d" % tuple(f["range"]), f["ref_errors"]), file=out)
        tot["exprs"] += len(f["exprs"])
        for k in ("queries", "pass", "fail", "ref_errors"):
            tot[k] += f[k]
        for k in ("instant", "range"):
            tot[k] = [tot[k][0] + f[k][0], tot[k][1] + f[k][1]]
    print("%-*s %6d %8d %8d %6d %14s %14s %10d" % (
        w, "TOTAL", tot["exprs"], tot["queries"], tot["pass"], tot["fail"], "%d/%d" % tuple(tot["instant"]),
        "%d/%d" % tuple(tot["range"]), tot["ref_errors"]), file=out)
    bad = [o for o in outcomes if o.reason]
    if bad:
        print("\nfirst %d of %d mismatches:" % (min(max_mismatches, len(bad)), len(bad)), file=out)
        for o in bad[:max_mismatches]:
            where = "corpus line %d" % o.expr.line if o.expr.line else "API check"
            print("- [%s] %s   (%s, %s)\n  reason: %s" % (o.family, o.expr.text, o.query, where, o.reason), file=out)
            for side, ans in (("prometheus", o.ref), ("target", o.got)):
                print("  %-10s %s" % (side, brief(ans)), file=out)
    if violations:
        print("\ncorpus expectations Prometheus does not meet (%d):" % len(violations), file=out)
        for e, why in violations:
            print("- line %d [%s] %s: %s" % (e.line, e.family, e.text, why), file=out)
    return tot


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--self-check", action="store_true", help="compare Prometheus with a second Prometheus")
    mode.add_argument("--strata", metavar="URL", help="base URL of a running Strata server with a fresh data directory")
    mode.add_argument("--start-strata", metavar="BINARY", help="start this strata binary as the target (and stop it)")
    ap.add_argument("--user", help="Strata user (HTTP basic auth, for remote write and queries)")
    ap.add_argument("--password", help="its password")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus",
                    help="the Prometheus 2.42 binary")
    ap.add_argument("--anchor", type=int, help="end of the data in Unix seconds (default: now - 15 min, to the minute); "
                    "to repeat a run against a target that already holds the data, with --skip-target-write")
    ap.add_argument("--skip-target-write", action="store_true", help="the target already holds the data of --anchor")
    ap.add_argument("--family", action="append", help="only this family (repeatable; api_metadata and api_params "
                    "are the API checks)")
    ap.add_argument("--max-mismatches", type=int, default=20, help="mismatches printed with both answers")
    ap.add_argument("--workers", type=int, default=2, help="queries in flight")
    ap.add_argument("--report-only", action="store_true", help="exit 0 even when answers differ")
    ap.add_argument("--twin-args", default="", help="extra flags for the second Prometheus of --self-check, to see "
                    "the harness notice a difference (e.g. --query.lookback-delta=4m)")
    ap.add_argument("--dump-answers", metavar="FILE", help="write every query and both answers as JSON lines")
    ap.add_argument("--allow-differences", metavar="FILE", help="deliberate differences (`family | expression | "
                    "reason` lines): they are reported but do not fail the run")
    args = ap.parse_args()
    if args.strata and not args.strata.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]",
                                                   "https://127.0.0.1", "https://localhost")):
        ap.error("--strata must be a loopback URL")
    if args.skip_target_write and not args.anchor:
        ap.error("--skip-target-write needs the --anchor the target's data were written with")

    # SIGTERM (a CI timeout, say) unwinds like Ctrl-C, so the `finally` below stops the Prometheus processes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t0 = time.time()
    corpus = load_corpus(args.corpus)
    if args.family:
        corpus = [e for e in corpus if e.family in args.family]
    end_ms = (args.anchor * 1000 if args.anchor else (int(time.time()) // 60 - 15) * 60_000)
    series = promql_dataset.build(end_ms)
    start_ms = end_ms - promql_dataset.STEPS * promql_dataset.STEP_MS
    bodies = write_requests(series)
    samples = sum(len(s.samples) for s in series)

    started = []
    try:
        ref_proc = PrometheusProcess(args.prometheus, "reference")
        started.append(ref_proc)
        if args.self_check:
            twin = PrometheusProcess(args.prometheus, "twin", args.twin_args.split())
            started.append(twin)
            target = twin.target
        elif args.start_strata:
            strata = StrataProcess(args.start_strata)
            started.append(strata)
            target = strata.target
        else:
            base = args.strata.rstrip("/")
            target = Target("strata", base + "/prometheus/api/v1/write", base + "/prometheus/api/v1/", args.user,
                            args.password)
        for p in started:
            p.wait_ready()
        ref_proc.target.write(bodies)
        if not args.skip_target_write:
            target.write(bodies)
        waited = wait_visible(ref_proc.target, target, end_ms)
        if waited is None:
            print("warning: 30 s after the writes the target still does not count the samples the reference "
                  "does; comparing anyway", file=sys.stderr)
        t_written = time.time()
        outcomes = run_queries(ref_proc.target, target, corpus, start_ms, end_ms, args.workers, args.family)
        t_done = time.time()
    finally:
        for p in reversed(started):
            p.stop()

    print("PromQL conformance: %s against Prometheus 2.42; data %d series, %d samples, %s .. %s (anchor %d); "
          "corpus %d expressions" % ("a second Prometheus" if args.self_check else args.strata or args.start_strata,
                                     len(series), samples,
                                     time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start_ms / 1000)),
                                     time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end_ms / 1000)),
                                     end_ms // 1000, len(corpus)))
    if args.dump_answers:
        with open(args.dump_answers, "w", encoding="utf-8") as f:
            for o in outcomes:
                json.dump({"family": o.family, "line": o.expr.line, "expr": o.expr.text, "query": o.query,
                           "agree": o.reason is None, "reason": o.reason, "prometheus_http": o.ref[0],
                           "prometheus": o.ref[1], "target_http": o.got[0], "target": o.got[1]},
                          f, ensure_ascii=False)
                f.write("\n")
    allowed_used, allowed_unused = [], []
    if args.allow_differences:
        allowed = load_allowed(args.allow_differences)
        for o in outcomes:
            key = (o.family, o.expr.text)
            if o.reason and key in allowed:
                allowed_used.append((o, allowed[key]))
                o.reason = None
        used = {(o.family, o.expr.text) for o, _ in allowed_used}
        allowed_unused = [k for k in allowed if k not in used]
    violations = corpus_violations(outcomes)
    tot = report(outcomes, violations, args.max_mismatches)
    if allowed_used:
        print("\n%d answers differ as %s allows (deliberate, documented differences):" % (
            len(allowed_used), args.allow_differences))
        for o, why in allowed_used:
            print("- [%s] %s   (%s): %s" % (o.family, o.expr.text, o.query, why))
    for family, text in allowed_unused:
        print("note: the allowed difference [%s] %s now agrees; remove it from %s" % (family, text, args.allow_differences))
    print("\n%d of %d answers agree (%.1f %%); setup and writes %.1f s, queries %.1f s, total %.1f s" % (
        tot["pass"], tot["queries"], 100.0 * tot["pass"] / max(1, tot["queries"]), t_written - t0,
        t_done - t_written, time.time() - t0))
    failed = tot["fail"] > 0 or (args.self_check and violations)
    sys.exit(0 if args.report_only or not failed else 1)


if __name__ == "__main__":
    main()
