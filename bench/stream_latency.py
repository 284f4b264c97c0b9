#!/usr/bin/env python3
"""Live sample streams (issue 21): how soon a subscriber of `GET /api/v1/stream` gets a sample after its write was
acknowledged, and whether a subscriber that stops reading slows ingest.

A release `strata server` on a free loopback port; a subscriber to `bench_probe`; a writer remote-writing one sample of
`bench_probe` every 50 ms. Then:
  1. quiet: only the probe, for --seconds (default 20);
  2. load: beside the probe, --connections connections remote-write --series series (500 samples a request) as fast as
     the server takes them, --load-steps samples of each series, four times: without, with, without and with a second
     subscriber, to the load's series, that never reads (its receive buffer 4 KiB), which the server is expected to
     drop (alternating, so that whatever else the machine does weighs on both alike).
Prints one JSON line: the probe's latency from the write's acknowledgement (the 204 read by the writer) to the event's
receipt by the subscriber, p50/p99/max per phase (negative: the event arrived before the writer had read its 204), the
load's samples/s and the server's CPU per sample without and with the stalled subscriber, and whether and how the
server dropped it.

Python's standard library only. Usage: python3 bench/stream_latency.py [--seconds 20] [--series 10000] [--load-steps 100]"""
import argparse
import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ADMIN_PASSWORD, cpu_seconds, field, rw_labels, rw_sample, snappy_literal, start_server  # noqa: E402

AUTH = "Basic " + base64.b64encode(("admin:" + ADMIN_PASSWORD).encode()).decode()
HEADERS = {"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf", "Authorization": AUTH,
           "X-Prometheus-Remote-Write-Version": "0.1.0"}


# ------------------------------------------------------------------ Server-Sent Events on a raw socket
class Subscriber:
    """GETs a stream and, on its own thread, records (receipt time, event name, data) per event as it arrives."""

    def __init__(self, port, selector, seconds, reads=True):
        self.sock = socket.socket()
        if not reads:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", port))
        query = urllib.parse.urlencode({"match[]": selector, "seconds": seconds})
        self.sock.sendall(("GET /api/v1/stream?%s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n\r\n" % (query, AUTH)).encode())
        self.events = []
        self.ended = False
        if reads:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        raw, body, head = b"", b"", False
        while True:
            data = self.sock.recv(1 << 16)
            if not data:
                break
            now = time.monotonic()
            raw += data
            if not head:
                if b"\r\n\r\n" not in raw:
                    continue
                raw = raw.split(b"\r\n\r\n", 1)[1]
                head = True
            while b"\r\n" in raw:
                size_line, rest = raw.split(b"\r\n", 1)
                size = int(size_line, 16)
                if len(rest) < size + 2:
                    break
                body += rest[:size]
                raw = rest[size + 2:]
            while b"\n\n" in body:
                block, body = body.split(b"\n\n", 1)
                name, payload = None, ""
                for line in block.decode().split("\n"):
                    if line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: "):
                        payload += line[6:]
                if name:
                    self.events.append((now, name, payload))
        self.ended = True

    def drain_until_ended(self, timeout):
        """For the stalled subscriber, once the server has dropped it: reads what was sent until the server ends the
        response (its last chunk) or closes the connection. Returns (ended, whether an `event: dropped` came)."""
        self.sock.settimeout(timeout)
        tail = b""
        dropped = False
        try:
            while True:
                data = self.sock.recv(1 << 16)
                if not data:
                    return True, dropped
                tail = (tail + data)[-4096:]
                dropped = dropped or b"event: dropped" in tail
                if tail.endswith(b"\r\n0\r\n\r\n"):
                    return True, dropped
        except socket.timeout:
            return False, dropped
        except ConnectionResetError:
            return True, dropped


# ------------------------------------------------------------------ the load
def load_bodies(series, steps, first_step, start_ms, step_ms, batch=500):
    names = [rw_labels({"__name__": "bench_load", "job": "stream", "instance": "i%d" % (i % 100), "n": str(i)}) for i in range(series)]
    out = []
    for step in range(first_step, first_step + steps):
        s = rw_sample(float(step), start_ms + step * step_ms)
        for first in range(0, series, batch):
            payload = b"".join(field(1, names[i] + s) for i in range(first, min(series, first + batch)))
            out.append((min(batch, series - first), snappy_literal(payload)))
    return out


def run_load(port, bodies, connections):
    """Sends `bodies` over `connections` (body k on connection k % connections, so each series stays on one); returns
    samples/s."""
    sent = [0] * connections

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for count, body in bodies[index::connections]:
            conn.request("POST", "/api/v1/write", body=body, headers=HEADERS)
            response = conn.getresponse()
            response.read()
            if response.status == 204:
                sent[index] += count
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(sent) / (time.monotonic() - t0)


def percentiles(values):
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    pick = lambda f: round(1000 * ordered[min(len(ordered) - 1, int(f * len(ordered)))], 2)  # noqa: E731
    return {"count": len(values), "p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": round(1000 * ordered[-1], 2)}


def dropped_counts(port):
    req = urllib.request.Request("http://127.0.0.1:%d/metrics" % port, headers={"Authorization": AUTH})
    counts = {}
    for line in urllib.request.urlopen(req, timeout=10).read().decode().splitlines():
        if line.startswith("strata_stream_subscribers_dropped_total{"):
            reason = line.split('reason="', 1)[1].split('"', 1)[0]
            counts[reason] = int(float(line.rsplit(" ", 1)[1]))
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--load-steps", type=int, default=100)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    now_ms = int(time.time() * 1000)
    load_start = now_ms - 30 * 60_000
    # A few steps first create the load's series (slower than appending), then four rounds of appends.
    warm_up = load_bodies(args.series, 5, 0, load_start, 100)
    work_bodies = [load_bodies(args.series, args.load_steps, 5 + n * args.load_steps, load_start, 100) for n in range(4)]

    work = tempfile.mkdtemp(prefix="strata-stream-bench-")
    server, port = start_server(work, env={"STRATA_RATE_LIMIT": "0"}, args=("--log-level", "critical"))
    try:
        total = 3 * args.seconds + 600
        probe_sub = Subscriber(port, 'bench_probe{job="stream"}', int(min(3600, total)))
        time.sleep(0.5)
        acks = {}  # value → (ack time, phase)
        phase = ["quiet"]
        stop = threading.Event()

        def probe():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            value = 0
            next_at = time.monotonic()
            while not stop.is_set():
                value += 1
                body = snappy_literal(field(1, rw_labels({"__name__": "bench_probe", "job": "stream"}) + rw_sample(float(value), int(time.time() * 1000))))
                conn.request("POST", "/api/v1/write", body=body, headers=HEADERS)
                response = conn.getresponse()
                response.read()
                if response.status == 204:
                    acks[value] = (time.monotonic(), phase[0])
                next_at += args.interval
                stop.wait(max(0, next_at - time.monotonic()))
        prober = threading.Thread(target=probe)
        prober.start()
        time.sleep(args.seconds)

        # Load without and with a stalled subscriber, twice each, alternating, so that what else the machine does
        # weighs on both alike.
        phase[0] = "warm-up"
        run_load(port, warm_up, args.connections)
        rates = {"without": [], "with": []}
        cpu_per_sample = {"without": [], "with": []}
        outcomes = []
        for round_index, (name, bodies) in enumerate(zip(["without", "with", "without", "with"], work_bodies)):
            stalled = Subscriber(port, "bench_load", 600, reads=False) if name == "with" else None
            time.sleep(0.5)
            phase[0] = "load" if name == "without" else "load-stalled"
            cpu0 = cpu_seconds(server.pid)
            rates[name].append(run_load(port, bodies, args.connections))
            cpu_per_sample[name].append((cpu_seconds(server.pid) - cpu0) / (args.series * args.load_steps))
            phase[0] = "between"
            if stalled:
                deadline = time.monotonic() + 30
                while sum(dropped_counts(port).values()) < len(outcomes) + 1 and time.monotonic() < deadline:
                    time.sleep(0.2)
                outcomes.append(stalled.drain_until_ended(20))
            time.sleep(1)
        stop.set()
        prober.join()
        drops = dropped_counts(port)
        time.sleep(1)

        received = {}
        for receipt, name, payload in list(probe_sub.events):
            if name != "samples":
                continue
            for series in json.loads(payload)["series"]:
                for _, value in series["samples"]:
                    received.setdefault(int(value), receipt)
        delays = {}
        for value, (ack, at) in acks.items():
            if value in received:
                delays.setdefault(at, []).append(received[value] - ack)
        result = {
            "bench": "stream_latency", "interval_ms": int(args.interval * 1000), "probe_writes": len(acks),
            "probe_received": sum(1 for v in acks if v in received),
            "ack_to_receipt": {name: percentiles(delays.get(name, [])) for name in ("quiet", "load", "load-stalled")},
            "load_series": args.series, "load_samples_per_phase": args.series * args.load_steps,
            "load_samples_per_s_without_stalled": [round(r) for r in rates["without"]],
            "load_samples_per_s_with_stalled": [round(r) for r in rates["with"]],
            "throughput_ratio": round(sum(rates["with"]) / max(1, sum(rates["without"])), 3),
            "server_cpu_us_per_sample_without_stalled": [round(1e6 * c, 2) for c in cpu_per_sample["without"]],
            "server_cpu_us_per_sample_with_stalled": [round(1e6 * c, 2) for c in cpu_per_sample["with"]],
            "stalled_dropped": drops, "stalled_streams_ended": [ended for ended, _ in outcomes],
            "stalled_told_dropped": [told for _, told in outcomes],
        }
        print(json.dumps(result))
    finally:
        server.terminate()
        server.wait(timeout=60)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
