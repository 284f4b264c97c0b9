#!/usr/bin/env bash
# Installs the Debian packages Strata needs, only those missing. Usage: install-deps.sh [run|test|fuzz|bench]
set -euo pipefail
purpose="${1:-run}"
packages=(libsqlite3-dev zlib1g-dev libsnappy-dev libssl-dev libvirt-dev curl tzdata)
case "$purpose" in
  test) packages+=(python3 openssl nginx redis-server apache2 tomcat10 tomcat10-admin mariadb-server postgresql prometheus-node-exporter prometheus libvirt-daemon prometheus-alertmanager python3-aiosmtpd chromium chromium-driver) ;;
  fuzz) ;;
  bench) packages+=(python3 prometheus-node-exporter prometheus victoria-metrics chromium chromium-driver) ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "$purpose" = "test" ]; then
  # The OTLP integration test pushes with the official OpenTelemetry Python SDK and its OTLP/HTTP exporter.
  python3 -c "import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http" 2>/dev/null \
    || python3 -m pip install -q opentelemetry-sdk opentelemetry-exporter-otlp-proto-http
  # The web UI's browser test (scripts/browser_test.py) drives Debian's chromium through chromium-driver with selenium.
  python3 -c "import selenium" 2>/dev/null || python3 -m pip install -q selenium
fi
if [ "$purpose" = "bench" ]; then
  python3 -c "import numpy, cramjam" 2>/dev/null || python3 -m pip install -q numpy cramjam protobuf
  python3 -c "import selenium" 2>/dev/null || python3 -m pip install -q selenium
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq || true
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v swift >/dev/null 2>&1 || [ -x /opt/swift/usr/bin/swift ] || {
  echo "Swift 6.2 or newer is required (expected on PATH or in /opt/swift)"; exit 1; }
