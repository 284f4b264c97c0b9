#!/usr/bin/env bash
# `make run`: starts the server on the embedded store plus a local agent, prints the URL and first login.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${STRATA_BIN:-.build/release/strata}
data=${STRATA_DATA:-./data}
listen=${STRATA_LISTEN:-127.0.0.1:7480}
scheme=http
curl_tls=()
agent_tls=()
if [ "${STRATA_TLS:-off}" = auto ]; then
  # The server's own CA signs its certificate; curl and the agent trust that CA.
  scheme=https
  curl_tls=(--cacert "$data/tls/ca.pem")
  agent_tls=(--ca-file "$data/tls/ca.pem")
fi
url="$scheme://$listen"
mkdir -p "$data"

"$bin" server --listen "$listen" --data "$data" &
server=$!
trap 'kill $server ${agent:-} 2>/dev/null; wait 2>/dev/null; exit 0' INT TERM EXIT
for _ in $(seq 1 100); do
  curl -fsS "${curl_tls[@]}" "$url/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { echo "the server exited; see the messages above"; exit 1; }
  sleep 0.1
done
curl -fsS "${curl_tls[@]}" "$url/healthz" >/dev/null 2>&1 || { echo "the server did not answer $url/healthz within 10 s; see the messages above"; exit 1; }

if [ -f "$data/initial-credentials" ]; then
  # shellcheck disable=SC1091
  . "$data/initial-credentials"
fi
token=${STRATA_AGENT_TOKEN:-${STRATA_BOOTSTRAP_AGENT_TOKEN:-}}
if [ -z "$token" ] && [ ! -s "$data/agent/agent.credential" ]; then
  echo "no agent token: $data/initial-credentials is gone; set STRATA_AGENT_TOKEN to an agent token and run again"
  exit 1
fi
STRATA_AGENT_TOKEN=$token "$bin" agent --server "$url" --data "$data/agent" --interval "${STRATA_INTERVAL:-10s}" "${agent_tls[@]}" &
agent=$!

hint=""
[ "$url" = http://127.0.0.1:7480 ] || hint="STRATA_URL=$url "
[ "$scheme" = https ] && hint="${hint}STRATA_CA_FILE=$data/tls/ca.pem "
cat <<MSG

  Strata is running: $url   (open it in a browser for the web UI)
  first login: user admin, password ${STRATA_PASSWORD:-<the one you set with STRATA_BOOTSTRAP_ADMIN_PASSWORD>}
  try:  . $data/initial-credentials && $hint$bin resources
  (credentials are kept, mode 0600, in $data/initial-credentials; Ctrl-C stops server and agent)

MSG
wait $server
