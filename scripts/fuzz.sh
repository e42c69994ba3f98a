#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/Targets) with AddressSanitizer and runs each one.
#
#   scripts/fuzz.sh                  every target for FUZZ_SECONDS (default 60) seconds
#   scripts/fuzz.sh --smoke          every target over its seed corpus, then FUZZ_SMOKE_SECONDS (default 3),
#                                    from a fixed random seed (part of `make test`)
#   scripts/fuzz.sh fuzz-gguf ...    only the named targets
#
# The build goes to .build-fuzz (LOOM_FUZZ=1 adds the targets to Package.swift; nothing else sees them).
# Each target starts from its seed corpus in Fuzz/Corpus/<target> (read-only) and keeps what it finds in
# .build-fuzz/corpus/<target>; crashes go to .build-fuzz/artifacts/<target>. Prints one line per target:
# runs, executions per second, coverage (libFuzzer's cov: edges and ft: features), crashes. Exits
# non-zero if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
targets=()
for argument in "$@"; do
    case "$argument" in
        --smoke) smoke=true ;;
        fuzz-*) targets+=("$argument") ;;
        *) echo "usage: $0 [--smoke] [fuzz-TARGET ...]" >&2; exit 2 ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    for directory in Fuzz/Targets/*/; do targets+=("$(basename "$directory")"); done
fi
seconds=${FUZZ_SECONDS:-60}
if $smoke; then seconds=${FUZZ_SMOKE_SECONDS:-3}; fi
build=.build-fuzz
mkdir -p "$build"

export LOOM_FUZZ=1
flags=(-c release --build-path "$build" -Xswiftc -enable-testing -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
start=$(date +%s)
for target in "${targets[@]}"; do
    status=0
    swift build "${flags[@]}" --product "$target" >"$build/build.log" 2>&1 || status=$?
    grep -E 'error|warning: .*(Fuzz|Sources|Plugins)/' "$build/build.log" | grep -v 'Cannot export' || true
    [ "$status" -eq 0 ] || { echo "fuzz: building $target failed (see $build/build.log)" >&2; exit 1; }
done
echo "fuzz: built ${#targets[@]} targets in $(( $(date +%s) - start )) s"

# Leaks are not bugs here (caches live for the process); the rest of ASan stays on. Swift's own crash
# backtracer is off: libFuzzer and ASan report the crash and save the input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
failed=0
printf '%-16s %8s %10s %8s %8s %8s %s\n' target seconds runs exec/s cov ft crashes
for target in "${targets[@]}"; do
    corpus="$build/corpus/$target"
    artifacts="$build/artifacts/$target"
    log="$build/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    options=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
             -artifact_prefix="$artifacts/")
    # The smoke run (CI) starts from a fixed seed, so that what it tries does not change from run to run
    # beyond where the time limit cuts it.
    if $smoke; then options+=(-seed=1); fi
    case "$target" in
        fuzz-html) dictionary=html.dict ;;
        fuzz-gguf) dictionary=gguf.dict ;;
        fuzz-tokenizer) dictionary=tokenizer.dict ;;
        *) dictionary=json.dict ;;
    esac
    options+=(-dict="Fuzz/Dictionaries/$dictionary")
    marker="$build/logs/$target.started"
    touch "$marker"
    began=$(date +%s)
    status=0
    "$build/release/$target" "${options[@]}" "$corpus" "Fuzz/Corpus/$target" >"$log" 2>&1 </dev/null || status=$?
    elapsed=$(( $(date +%s) - began ))
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
    speed=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
    last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -1 || true)
    cov=$(grep -Eo 'cov: [0-9]+' <<<"$last" | grep -Eo '[0-9]+' || echo -)
    ft=$(grep -Eo 'ft: [0-9]+' <<<"$last" | grep -Eo '[0-9]+' || echo -)
    crashes=$(find "$artifacts" -type f -newer "$marker" | wc -l)
    printf '%-16s %8s %10s %8s %8s %8s %s\n' "$target" "$elapsed" "$runs" "$speed" "$cov" "$ft" "$crashes"
    if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        failed=1
        echo "fuzz: $target failed (exit $status); log $log, inputs in $artifacts:" >&2
        grep -E 'ERROR|Fatal error|fuzz property|SUMMARY' "$log" | head -5 >&2 || true
    fi
done
exit $failed
