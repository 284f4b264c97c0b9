#!/usr/bin/env bash
# `make install`: the release binaries, the systemd units, a sample configuration and the docs, under a prefix.
#   PREFIX      where things go (default /usr/local): PREFIX/bin, PREFIX/lib/systemd/system, PREFIX/share/doc/strata
#   SYSCONFDIR  configuration (default PREFIX/etc, /etc when PREFIX is /usr)
#   UNITDIR     systemd units (default PREFIX/lib/systemd/system)
#   DESTDIR     staging root for packagers (paths inside the files stay without it)
#   BUILD_DIR   where the binaries are (default .build/release)
# An existing strata.yml or agent.env is kept: the new sample is written beside it as *.new.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${PREFIX:-/usr/local}
if [ "$prefix" = /usr ]; then default_sysconf=/etc; else default_sysconf=$prefix/etc; fi
sysconfdir=${SYSCONFDIR:-$default_sysconf}
unitdir=${UNITDIR:-$prefix/lib/systemd/system}
bindir=$prefix/bin
docdir=$prefix/share/doc/strata
dest=${DESTDIR:-}
build=${BUILD_DIR:-.build/release}

for binary in strata strata-agent; do
  [ -x "$build/$binary" ] || { echo "install: $build/$binary is not built (run make build, or set BUILD_DIR)" >&2; exit 1; }
done

install -d "$dest$bindir" "$dest$unitdir" "$dest$sysconfdir/strata" "$dest$docdir/systemd"
install -m 0755 "$build/strata" "$build/strata-agent" "$dest$bindir/"
for unit in strata-server.service strata-agent.service; do
  sed -e "s#@BINDIR@#$bindir#g" -e "s#@SYSCONFDIR@#$sysconfdir#g" "packaging/systemd/$unit" > "$dest$unitdir/$unit"
  chmod 0644 "$dest$unitdir/$unit"
done
install -m 0644 packaging/systemd/control.conf "$dest$docdir/systemd/control.conf"

# Configuration: never overwrite what an operator has edited.
place() {  # place SOURCE TARGET MODE
  if [ -e "$2" ]; then install -m "$3" "$1" "$2.new"; echo "install: kept $2, the new sample is $2.new"
  else install -m "$3" "$1" "$2"; fi
}
place packaging/strata.yml "$dest$sysconfdir/strata/strata.yml" 0644
place packaging/agent.env "$dest$sysconfdir/strata/agent.env" 0600

for doc in README.md docs/*.md; do install -m 0644 "$doc" "$dest$docdir/"; done

# The web UI: the server finds it beside its binary, at PREFIX/share/strata/web (docs/ui.md).
webdir=$prefix/share/strata/web
(cd web && find . -type f) | while read -r file; do
  install -D -m 0644 "web/$file" "$dest$webdir/$file"
done

echo "installed strata $("$dest$bindir/strata" version | cut -d' ' -f2) under ${dest}${prefix}:"
echo "  $bindir/strata, $bindir/strata-agent"
echo "  $unitdir/strata-server.service, strata-agent.service"
echo "  $sysconfdir/strata/strata.yml, agent.env"
echo "next: systemctl daemon-reload && systemctl enable --now strata-server (docs/install.md)"
