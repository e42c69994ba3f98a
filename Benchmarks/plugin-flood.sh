#!/usr/bin/env bash
# Peak memory of loom while a plugin floods its stdout or stderr.
#
#   Benchmarks/plugin-flood.sh [megabytes]        (default 1024)
#
# Registers the probe test plugin (Tests/PluginHostTests/Fixtures/probe.py) in a scratch LOOM_HOME and
# runs `loom plugins test` under /usr/bin/time -v: once for an idle call (echo), once with `stderr_flood`
# (that many MiB on stderr, then a proper answer) and once with `flood` (that many MiB on stdout, one
# line, no newline; loom stops reading at the manifest's max_output_bytes, 1 MiB). Prints each run's
# maximum resident set size, wall time and result, and the growth over the idle call. Set LOOM to use
# another loom binary.
set -euo pipefail
cd "$(dirname "$0")/.."

megabytes=${1:-1024}
loom=${LOOM:-.build/release/loom}
if [ ! -x "$loom" ]; then
    swift build -c release --product loom >&2
    loom="$(swift build -c release --show-bin-path)/loom"
fi
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LOOM_HOME="$work/home"
mkdir -p "$LOOM_HOME" "$work/plugin"
cp Tests/PluginHostTests/Fixtures/probe.py "$work/plugin/probe.py"
chmod +x "$work/plugin/probe.py"
python3 - "$work/plugin/manifest.json" <<'EOF_PY'
import json, sys
json.dump({"name": "flood-probe", "version": "1.0.0", "description": "floods its output on request",
           "command": ["./probe.py"],
           "sandbox": {"network": False, "filesystem": "none", "cpu_seconds": 600, "memory_mb": 512,
                       "wall_seconds": 600, "max_output_bytes": 1048576},
           "tools": ["echo", "flood", "stderr_flood"]}, open(sys.argv[1], "w"))
EOF_PY
"$loom" plugins add "$work/plugin/manifest.json" >/dev/null

run() {  # name tool args -> prints "name peak_kib wall result"
    local name=$1 tool=$2 args=$3
    /usr/bin/time -v -o "$work/$name.time" "$loom" plugins test flood-probe "$tool" --args "$args" --json \
        >"$work/$name.out" 2>"$work/$name.err" || true
    local peak wall result
    peak=$(grep -E 'Maximum resident set size' "$work/$name.time" | grep -Eo '[0-9]+$')
    wall=$(grep -E 'Elapsed \(wall clock\)' "$work/$name.time" | awk '{print $NF}')
    result=$(head -c 160 "$work/$name.out" | tr '\n' ' ')
    [ -n "$result" ] || result=$(tail -c 160 "$work/$name.err" | tr '\n' ' ')
    echo "$name $peak $wall $result"
}

echo "loom: $loom; flood: $megabytes MiB; $(nproc) cores; $(date -u +%Y-%m-%d)"
read -r _ idle idle_wall idle_result < <(run idle echo '{"text": "idle"}')
mib() { awk "BEGIN { printf \"%.1f\", ($1) / 1024 }"; }
printf '%-14s %10s %10s %s\n' run "peak MiB" "wall" result
printf '%-14s %10s %10s %s\n' idle "$(mib "$idle")" "$idle_wall" "$idle_result"
for spec in "stderr stderr_flood" "stdout flood"; do
    set -- $spec
    read -r _ peak wall result < <(run "$1" "$2" "{\"megabytes\": $megabytes}")
    printf '%-14s %10s %10s %s  (+%s MiB over idle)\n' "$1-flood" "$(mib "$peak")" "$wall" "$result" \
        "$(mib "$peak - $idle")"
done
