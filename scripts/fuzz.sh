#!/usr/bin/env bash
# Builds every fuzz target with libFuzzer + AddressSanitizer and runs each for FUZZ_SECONDS (default 60).
# Usage: scripts/fuzz.sh [TARGET...]   (targets: see Fuzz/; default all)
# Corpora grow in .build-fuzz/corpus/TARGET (seeded from Fuzz/TARGET/seeds); crashes land in
# .build-fuzz/crashes/TARGET and fail the run. Run longer with FUZZ_SECONDS=3600 scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=($(ls Fuzz))
fi
flags=(-sanitize=fuzzer,address)
build=.build-fuzz
for target in "${targets[@]}"; do
    echo "== building $target"
    STRATA_FUZZ=1 swift build -c release --build-path "$build" --product "$target" -Xswiftc -g -Xswiftc -enable-testing \
        $(printf -- '-Xswiftc %s ' "${flags[@]}") 2>&1 | grep -Ev "unhandled|^\[" || true
    test -f "$build/release/lib$target.a" || { echo "build of $target failed"; exit 1; }
    swiftc "$build/release/lib$target.a" -g "${flags[@]}" -lz -lsnappy -o "$build/$target" 2>&1 | grep -v "Cannot export local symbol" || true
    test -x "$build/$target" || { echo "link of $target failed"; exit 1; }
done
status=0
for target in "${targets[@]}"; do
    corpus="$build/corpus/$target"
    crashes="$build/crashes/$target/"
    mkdir -p "$corpus" "$crashes"
    if [ -d "Fuzz/$target/seeds" ]; then cp -n Fuzz/"$target"/seeds/* "$corpus"/ 2>/dev/null || true; fi
    # Matching and query parsing must answer any single input within 1 s (issue 15); decoders of large bodies 10 s.
    case "$target" in
        fuzz-selector|fuzz-regex|fuzz-query-parameters|fuzz-promql) timeout=1 ;;
        *) timeout=10 ;;
    esac
    echo "== fuzzing $target for ${seconds}s (timeout ${timeout}s per input)"
    if SWIFT_BACKTRACE=enable=off "$build/$target" "$corpus" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=4096 \
        -artifact_prefix="$crashes" -print_final_stats=1 > "$build/$target.log" 2>&1; then
        runs=$(grep -E "stat::number_of_executed_units" "$build/$target.log" | awk '{print $2}')
        echo "   ok: $runs inputs, no crash (corpus $(ls "$corpus" | wc -l) files)"
    else
        status=1
        echo "   CRASH: see $build/$target.log and $crashes"
        tail -30 "$build/$target.log"
    fi
done
exit $status
