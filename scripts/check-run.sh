#!/usr/bin/env bash
# Checks a running `make run`: within 30 s a platform for this machine appears whose hostname and
# machine-id match, and whose CPU and memory series have samples. Usage: scripts/check-run.sh [URL]
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:-http://${STRATA_LISTEN:-127.0.0.1:7480}}
data=${STRATA_DATA:-./data}
# shellcheck disable=SC1091
[ -f "$data/initial-credentials" ] && . "$data/initial-credentials"
export STRATA_URL=$url STRATA_USER=${STRATA_USER:-admin} STRATA_PASSWORD=${STRATA_PASSWORD:-}
python3 - <<'PY'
import base64, json, os, socket, sys, time, urllib.request
url, auth = os.environ["STRATA_URL"], base64.b64encode(f'{os.environ["STRATA_USER"]}:{os.environ["STRATA_PASSWORD"]}'.encode()).decode()
def get(path):
    request = urllib.request.Request(url + path, headers={"Authorization": "Basic " + auth})
    return json.load(urllib.request.urlopen(request, timeout=5))["data"]
machine_id = open("/etc/machine-id").read().strip()
started = time.time()
while time.time() - started < 30:
    try:
        for platform in get("/api/v1/resources?kind=platform"):
            p = platform["properties"]
            if p.get("machine_id") != machine_id:
                continue
            series = {s["metric"] + json.dumps(s["labels"], sort_keys=True): s["id"] for s in get(f'/api/v1/resources/{platform["id"]}/series')}
            cpu = get(f'/api/v1/series/{series["cpu_seconds_total" + json.dumps({"mode": "user"})]}/samples')["samples"]
            mem = get(f'/api/v1/series/{series["memory_used_bytes{}"]}/samples')["samples"]
            if cpu and mem:
                print(f'platform {platform["id"]} after {time.time() - started:.1f} s: hostname {p["hostname"]} '
                      f'(this machine: {socket.gethostname()}), machine-id {p["machine_id"]} (this machine: {machine_id}), '
                      f'{len(cpu)} cpu_seconds_total{{mode="user"}} and {len(mem)} memory_used_bytes samples')
                sys.exit(0 if p["hostname"] == socket.gethostname() else 1)
    except (OSError, KeyError, ValueError):
        pass
    time.sleep(1)
print("no platform for this machine with CPU and memory samples within 30 s", file=sys.stderr)
sys.exit(1)
PY
