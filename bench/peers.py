"""The peers of `remote_write_side_by_side.py`: Prometheus 2.42 (the kit's `bench_prom.py`) and VictoriaMetrics 1.79
(the kit's `bench_vm.py`), each run on a fresh data directory in a temporary folder, and the figures all three
servers are compared by. Every result is a dict with the same keys (`figures`); the kit's own JSON is kept under
`kit`."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from benchlib import free_port


def tree_bytes(root, classify=None):
    """Sum of the sizes of every regular file under `root` (what `du -sb` counts for files), and, with
    `classify(relative_path) -> part`, the same sum split by part."""
    total, parts = 0, {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                size = os.lstat(path).st_size
            except OSError:
                continue
            total += size
            if classify:
                part = classify(os.path.relpath(path, root))
                parts[part] = parts.get(part, 0) + size
    return total, parts


def run_in_group(cmd, timeout):
    """Runs `cmd` in a process group of its own and returns its stdout; on a timeout the whole group (the kit
    script and the server it started) is killed, so nothing is left behind."""
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = child.communicate(timeout=timeout)
    except BaseException:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise
    return out, err


def ensure_cache(kit, series, samples, concurrency, cache, extra=()):
    """Encodes the bodies into `cache` unless it exists: rw_load.py against a closed port with --timeout 0 encodes,
    writes the cache and sends nothing; `extra` are more rw_load.py flags (`--job`, `--end-ms`). Written under
    another name and renamed, so no reader sees half a file."""
    if os.path.exists(cache):
        return
    partial = "%s.%d.partial" % (cache, os.getpid())
    try:
        run_in_group([sys.executable, os.path.join(kit, "rw_load.py"), "--url",
                      "http://127.0.0.1:%d/api/v1/write" % free_port(), "--series", str(series),
                      "--samples-per-series", str(samples), "--concurrency", str(concurrency), "--cache", partial,
                      "--timeout", "0", *extra], timeout=900)
        os.replace(partial, cache)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def last_json(out, err):
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": err[-1000:]}


def figures(server, load, cpu_s, peak_rss_bytes, dir_bytes, parts=None):
    """The compared figures of one run, from the rw_load JSON `load`."""
    accepted = load.get("samples_accepted") or 0
    def per_sample(value):
        return round(value / accepted, 3) if accepted and value is not None else None
    return {"server": server, "samples_accepted": accepted, "samples_per_s": load.get("samples_per_s"),
            "load_seconds": load.get("seconds"), "http_errors": load.get("http_errors"),
            "error_codes": load.get("error_codes"), "first_error": load.get("first_error"),
            "req_latency_ms_p50": load.get("req_latency_ms_p50"), "req_latency_ms_p99": load.get("req_latency_ms_p99"),
            "client_cpu_cores": load.get("client_cpu_cores"), "server_cpu_s": cpu_s,
            "cpu_s_per_million": round(cpu_s / accepted * 1e6, 3) if accepted and cpu_s is not None else None,
            "peak_rss_mib": round(peak_rss_bytes / 2**20, 1) if peak_rss_bytes else None,
            "dir_bytes": dir_bytes, "dir_bytes_per_sample": per_sample(dir_bytes),
            "parts_bytes_per_sample": {k: per_sample(v) for k, v in sorted((parts or {}).items())}}


def run_prometheus(kit, series, samples, concurrency, cache):
    """bench_prom.py with a snapshot (the head as one block: Prometheus's raw bytes/sample) and --keep; after its
    graceful stop (SIGTERM) the whole data directory is measured without the snapshot."""
    if not shutil.which("prometheus"):
        return {"server": "prometheus", "skipped": "prometheus is not installed (make deps-bench installs it)"}
    work = tempfile.mkdtemp(prefix="prom-rw-")
    data = os.path.join(work, "data")
    try:
        out, err = run_in_group([sys.executable, os.path.join(kit, "bench_prom.py"), "--series", str(series),
                                 "--samples-per-series", str(samples), "--concurrency", str(concurrency),
                                 "--cache", cache, "--snapshot", "--keep", "--port", str(free_port()),
                                 "--data", data], timeout=1800)
        kit_json = last_json(out, err)
        load = kit_json.get("load", {"error": kit_json.get("load_error") or kit_json.get("error")})
        snapshots = os.path.join(data, "snapshots")
        whole, parts = tree_bytes(data, lambda rel: rel.split(os.sep)[0])
        snapshot_bytes = parts.pop("snapshots", 0)
        wal = parts.pop("wal", 0) + parts.pop("chunks_head", 0)
        result = figures("prometheus", load, kit_json.get("server_cpu_s_during_send"), kit_json.get("peak_rss_bytes"),
                         whole - snapshot_bytes, {"wal": wal, "other": sum(parts.values())})
        block = kit_json.get("block") or {}
        result["parts_bytes_per_sample"]["raw_blocks"] = block.get("bytes_per_sample_total")
        result["raw_blocks_note"] = "snapshot of the head, taken before the stop and not counted in dir_bytes"
        result["snapshot_dir_bytes"] = tree_bytes(snapshots)[0] if os.path.isdir(snapshots) else None
        kit_json.pop("block", None)
        result["kit"] = kit_json
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_victoriametrics(kit, series, samples, concurrency, cache):
    """bench_vm.py: force_flush, graceful stop (SIGINT), then the whole data directory."""
    if not shutil.which("victoria-metrics"):
        return {"server": "victoriametrics",
                "skipped": "victoria-metrics is not installed (make deps-bench installs it)"}
    if not os.path.exists(os.path.join(kit, "bench_vm.py")):
        return {"server": "victoriametrics", "skipped": "bench_vm.py is not in the kit at %s" % kit}
    work = tempfile.mkdtemp(prefix="vm-rw-")
    data = os.path.join(work, "data")
    try:
        out, err = run_in_group([sys.executable, os.path.join(kit, "bench_vm.py"), "--series", str(series),
                                 "--samples-per-series", str(samples), "--concurrency", str(concurrency),
                                 "--cache", cache, "--port", str(free_port()), "--data", data], timeout=1800)
        kit_json = last_json(out, err)
        whole, parts = tree_bytes(data, lambda rel: rel.split(os.sep)[0])
        result = figures("victoriametrics", kit_json.get("load", {}), kit_json.get("server_cpu_s_during_send"),
                         kit_json.get("peak_rss_bytes"), whole, parts)
        result["kit"] = kit_json
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
