#!/usr/bin/env bash
# Runs the examples of README.md, docs/query.md and docs/import.md against a fresh server, so they cannot go stale.
#
# Starts `strata server` (STRATA_BIN, default .build/debug/strata) on a free 127.0.0.1 port with a temporary data
# directory, and a local agent at a 1 s interval; waits for the agent's first samples; then runs, in one shell,
# from a directory laid out like a checkout after `make run` (`data/` is the server's, `.build/release/strata`
# links to STRATA_BIN), every command of every ```sh block of those files:
#   - `127.0.0.1:7480` (the default the docs use) becomes the test server's address; STRATA_URL points the CLI there;
#   - the README's placeholders `SERIES_ID` and `ID` become the series id of cpu_seconds_total{mode="user"} and the
#     id of this machine's platform;
#   - each command must exit 0; a curl command must answer "status":"success" (a query: with points), any other
#     command but `.`, `export` or an assignment must print something.
# Blocks fenced as ```console (commands for another host) are not run. The README's ```yaml block with
# `remote_write:` is checked with promtool and, when `prometheus` is installed, by a Prometheus that scrapes the
# test server's /metrics and remote-writes through exactly that block; its `up{job="strata"}` must arrive.
# Everything it starts is stopped on exit; nothing listens beyond 127.0.0.1. Usage: scripts/check-docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$(date +%s%N)
since() { local tenths=$(( ($(date +%s%N) - started) / 100000000 )); echo "$((tenths / 10)).$((tenths % 10))"; }
bin=${STRATA_BIN:-.build/debug/strata}
[ -x "$bin" ] || { echo "check-docs: no strata binary at $bin (set STRATA_BIN)" >&2; exit 1; }
bin=$(realpath "$bin")
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-check-docs.XXXXXX")
pids=()
cleanup() {
  # Last started, first stopped, each before the next: a Prometheus whose Strata is gone spends its 1 min
  # flush deadline retrying.
  local index
  for ((index = ${#pids[@]} - 1; index >= 0; index--)); do
    kill -TERM "${pids[index]}" 2>/dev/null || true
    wait "${pids[index]}" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
unset STRATA_TOKEN STRATA_CA_FILE STRATA_USER STRATA_PASSWORD STRATA_AGENT_TOKEN STRATA_CONFIG STRATA_LISTEN STRATA_DATA
fail() { echo "check-docs: $*" >&2; for log in "$work"/*.log; do [ -s "$log" ] && { echo "--- $log" >&2; tail -20 "$log" >&2; }; done; exit 1; }

# The server, on a port the kernel picks; it prints the address it got.
mkdir -p "$work/.build/release"
ln -s "$bin" "$work/.build/release/strata"
"$bin" server --listen 127.0.0.1:0 --data "$work/data" >"$work/server.out" 2>"$work/server.log" &
pids+=($!)
url=
for _ in $(seq 1 150); do
  url=$(sed -n 's|^Strata server listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$work/server.out")
  [ -n "$url" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || fail "the server exited"
  sleep 0.1
done
[ -n "$url" ] || fail "the server did not start within 15 s"
address=${url#http://}
echo "server on $url after $(since) s"
export STRATA_URL=$url
# shellcheck disable=SC1091
. "$work/data/initial-credentials"
[ -n "${STRATA_PASSWORD:-}" ] && [ -n "${STRATA_AGENT_TOKEN:-}" ] || fail "data/initial-credentials lacks STRATA_PASSWORD or STRATA_AGENT_TOKEN"
"$bin" agent --server "$url" --data "$work/data/agent" --interval 1s --log-level warning 2>"$work/agent.log" &
pids+=($!)

# The README's remote_write block: checked by promtool, then run by a Prometheus (in the background, while the
# examples run) that scrapes this server's /metrics as job "strata".
python3 - "$root/README.md" "$work/remote_write.yml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = [b for b in re.findall(r"^```yaml\n(.*?)^```$", text, re.S | re.M) if "remote_write:" in b]
if len(blocks) != 1:
    sys.exit(f"README.md: expected one ```yaml block with remote_write:, found {len(blocks)}")
open(sys.argv[2], "w").write(blocks[0])
PY
mkdir -p "$work/prometheus"
printf '%s' "$STRATA_PASSWORD" >"$work/prometheus/strata-password"
{
  printf 'global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: strata\n'
  printf '    basic_auth: {username: admin, password_file: strata-password}\n'
  printf "    static_configs: [{targets: ['%s']}]\n" "$address"
  sed "s/127\.0\.0\.1:7480/$address/g" "$work/remote_write.yml"
} >"$work/prometheus/prometheus.yml"
prometheus_checked=no
if command -v promtool >/dev/null; then
  promtool check config "$work/prometheus/prometheus.yml" >"$work/promtool.log" 2>&1 || fail "promtool rejects the README's remote_write block"
  prometheus_checked=promtool
fi
if command -v prometheus >/dev/null; then
  prometheus --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/prometheus/data" \
    --web.listen-address=127.0.0.1:0 --log.level=warn >"$work/prometheus.log" 2>&1 &
  pids+=($!)
  prometheus_checked=running
fi

# Samples of this machine's platform: its id, and the id of its user CPU series, fill the README's placeholders.
api() { curl -sfG -u "$STRATA_USER:$STRATA_PASSWORD" "$url$1" "${@:2}"; }
ids=
for _ in $(seq 1 150); do
  ids=$(api /api/v1/query --data-urlencode 'select=cpu_seconds_total{mode="user"}' -d step=1s 2>/dev/null | python3 -c '
import json, sys
series = json.load(sys.stdin)["data"]["series"]
if series and len(series[0]["points"]) >= 3:
    print(series[0]["labels"]["resource_id"], series[0]["id"])' || true)
  [ -n "$ids" ] && break
  sleep 0.1
done
[ -n "$ids" ] || fail "no three cpu_seconds_total samples from the agent within 15 s"
read -r platform_id series_id <<<"$ids"
echo "agent samples after $(since) s: platform $platform_id, cpu_seconds_total{mode=\"user\"} $series_id"

# The examples, one shell: `. data/initial-credentials` in one command holds for the next ones.
python3 - "$root" "$work/examples.sh" "$address" "$platform_id" "$series_id" README.md docs/query.md docs/import.md <<'PY'
import re, shlex, sys
root, out, address, platform_id, series_id, *files = sys.argv[1:]
lines = ['set +e', 'failed=0; ran=0',
         'check() {  # label, command, exit status, output file',
         '  local reason=',
         '  if [ "$3" != 0 ]; then reason="exit $3"',
         '  elif [[ "$2" == curl* ]] && ! grep -q \'"status":"success"\' "$4"; then reason="no \\"status\\":\\"success\\""',
         '  elif [[ "$2" == curl*/api/v1/query* ]] && ! grep -q \'"points":\\[\\[\' "$4"; then reason="no points"',
         '  elif [[ ! "$2" =~ ^(\\.|export|[A-Za-z_]+=) ]] && [ ! -s "$4" ]; then reason="no output"',
         '  fi',
         '  ran=$((ran + 1))',
         '  if [ -z "$reason" ]; then printf "ok    %s  %s\\n" "$1" "${2%%$\'\\n\'*}"',
         '  else failed=$((failed + 1)); printf "FAIL  %s  %s: %s\\n" "$1" "$2" "$reason"; head -20 "$4" | awk "{ print \\"      \\" \\$0 }"; fi',
         '}']
for name in files:
    text = open(f"{root}/{name}").read()
    count = 0
    for match in re.finditer(r"^```sh\n(.*?)^```$", text, re.S | re.M):
        first = text.count("\n", 0, match.start()) + 2
        body = match.group(1).split("\n")[:-1]
        index = 0
        while index < len(body):
            start = index
            command = body[index]
            while command.endswith("\\") and index + 1 < len(body):
                index += 1
                command += "\n" + body[index]
            index += 1
            if not command.strip() or command.lstrip().startswith("#"):
                continue
            command = command.replace("127.0.0.1:7480", address)
            command = command.replace("SERIES_ID", series_id)
            command = re.sub(r"\bID\b", platform_id, command)
            label = f"{name}:{first + start}"
            lines.append(f'{{ eval {shlex.quote(command)}; }} >"$OUT" 2>&1 </dev/null; check {shlex.quote(label)} {shlex.quote(command)} $? "$OUT"')
            count += 1
    if count == 0:
        sys.exit(f"{name}: no ```sh examples found")
lines.append('echo "$ran examples, $failed failed"; [ "$failed" = 0 ]')
open(out, "w").write("\n".join(lines) + "\n")
PY
examples_ok=yes
(cd "$work" && OUT="$work/example.out" bash "$work/examples.sh") || examples_ok=no

# The remote-written self-scrape must have arrived.
if [ "$prometheus_checked" = running ]; then
  for _ in $(seq 1 300); do
    api /api/v1/query --data-urlencode 'select=up{job="strata"}' 2>/dev/null | grep -q '"points":\[\[' && { prometheus_checked=remote-written; break; }
    kill -0 "${pids[2]}" 2>/dev/null || fail "prometheus exited"
    sleep 0.1
  done
  [ "$prometheus_checked" = remote-written ] || fail "no up{job=\"strata\"} remote-written by Prometheus through the README's block within 30 s"
fi
echo "remote_write block: $prometheus_checked (after $(since) s)"
[ "$examples_ok" = yes ] || fail "an example failed"
echo "check-docs: ok in $(since) s"
