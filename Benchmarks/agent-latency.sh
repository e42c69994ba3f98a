#!/usr/bin/env bash
# End-to-end time of one `loom ask`, for two builds of Loom side by side (A B A B …), with the prompt
# cache warm and cold.
#
#   Benchmarks/agent-latency.sh LOOM_A LOOM_B [runs] [model] [question]
#
# LOOM_A and LOOM_B are loom binaries inside their checkouts (so each finds its own plugins and
# agents), e.g. a build of this tree and one of an older commit. Each run is a whole `loom ask
# --agent default` process on 2 threads. "warm": the prompt cache holds the agent's system turn
# (`loom agents warm` first; a build without a prompt cache simply computes it). "cold": the prompt
# cache is cleared before every run (LOOM_PROMPT_CACHE_MB=0 would turn it off altogether). Prints
# every run, the medians and the median of the per-pair ratios B/A. MODES="warm" (or "cold") runs one
# of the two.
set -euo pipefail

a=${1:?usage: $0 LOOM_A LOOM_B [runs] [model] [question]}
b=${2:?usage: $0 LOOM_A LOOM_B [runs] [model] [question]}
runs=${3:-5}
model=${4:-qwen2.5-coder-1.5b-instruct}
question=${5:-"A shop sells pens at 0.75 each. Maria buys 14 pens and pays with a 100 dollar bill. How much change does she get?"}
export LOOM_HOME=${LOOM_HOME:-$HOME/.cache/loom}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ask() {  # binary, label, mode
    local loom=$1 label=$2 mode=$3 start end
    if [ "$mode" = cold ]; then rm -rf "$LOOM_HOME/prompt-cache"; fi
    start=$(date +%s.%N)
    (cd "$(dirname "$loom")/../.." && "$loom" ask --model "$model" --threads 2 --json "$question") > "$work/out.json" 2>/dev/null || true
    end=$(date +%s.%N)
    python3 - "$work/out.json" "$label" "$mode" "$start" "$end" >> "$work/runs.tsv" <<'EOF_PY'
import json, sys
path, label, mode, start, end = sys.argv[1:]
try:
    report = json.load(open(path))
    answer, calls = report.get("answer", "").replace("\n", " ")[:40], report.get("model_calls", "?")
except Exception:
    answer, calls = "(no report)", "?"
print(f"{label}\t{mode}\t{float(end) - float(start):.2f}\t{calls}\t{answer}")
EOF_PY
    tail -1 "$work/runs.tsv" >&2
}

for mode in ${MODES:-warm cold}; do
    if [ "$mode" = warm ]; then
        (cd "$(dirname "$b")/../.." && "$b" agents warm default --model "$model" >&2) || true
    fi
    for i in $(seq "$runs"); do
        ask "$a" A "$mode"
        ask "$b" B "$mode"
    done
done

python3 - "$work/runs.tsv" <<'EOF_PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
print("| mode | A median s | B median s | B/A per pair (median) | model calls A / B |")
print("| --- | --- | --- | --- | --- |")
for mode in ["warm", "cold"]:
    if not any(r[1] == mode for r in rows):
        continue
    a = [r for r in rows if r[1] == mode and r[0] == "A"]
    b = [r for r in rows if r[1] == mode and r[0] == "B"]
    ratios = [float(y[2]) / float(x[2]) for x, y in zip(a, b)]
    print(f"| {mode} | {statistics.median(float(r[2]) for r in a):.1f} | {statistics.median(float(r[2]) for r in b):.1f} "
          f"| {statistics.median(ratios):.3f} | {a[0][3]} / {b[0][3]} |")
EOF_PY
