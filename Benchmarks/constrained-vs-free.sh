#!/usr/bin/env bash
# Constrained against free generation on the same prompt: an agent's real planning call.
#
#   Benchmarks/constrained-vs-free.sh [trace.jsonl] [model] [runs]
#
# Takes the first model call of a recorded trace (default: the example plan-then-execute trace): its
# system prompt, question and JSON Schema. Generates the plan under the schema (with jump-forward, and
# without it) and freely, greedy, on the same prompt, `runs` times each, and prints tokens per second
# of generation (prompt time excluded) with the ratios. The prompt cache makes every run after the
# first skip the system prompt; the three kinds of run take turns. Set LOOM to use another loom binary.
set -euo pipefail

trace=${1:-examples/traces/math-plan-execute-qwen0.5b.jsonl}
model=${2:-qwen2.5-coder-1.5b-instruct}
runs=${3:-5}
loom=${LOOM:-}
if [ -z "$loom" ]; then
    swift build -c release --product loom >&2
    loom="$(swift build -c release --show-bin-path)/loom"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$trace" "$work" <<'EOF_PY'
import json, sys
trace, work = sys.argv[1:]
for line in open(trace):
    record = json.loads(line)
    if record.get("type") == "model_call":
        request = record["model_call"]["request"]
        break
messages = request["messages"]
open(f"{work}/system.txt", "w").write(messages[0]["content"])
open(f"{work}/question.txt", "w").write(messages[1]["content"])
json.dump(request["constraint"]["jsonSchema"]["_0"], open(f"{work}/schema.json", "w"))
EOF_PY

run() {  # label, run number, extra flags...
    local label=$1 i=$2; shift 2
    "$loom" generate --model "$model" --chat --system "$(cat "$work/system.txt")" --max-tokens 96 --json "$@" \
        "$(cat "$work/question.txt")" > "$work/$label-$i.json"
}
# One untimed run fills the prompt cache; then the three kinds take turns, so drift hits all alike.
run free 0
for i in $(seq "$runs"); do
    run free "$i"
    run sampled "$i" --json-schema "@$work/schema.json" --no-jump-forward
    run constrained "$i" --json-schema "@$work/schema.json"
done

python3 - "$work" "$runs" <<'EOF_PY'
import json, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
rows = {}
for label in ["free", "sampled", "constrained"]:
    results = [json.load(open(f"{work}/{label}-{i}.json")) for i in range(1, runs + 1)]
    rows[label] = (statistics.median(r["tokens_per_second"] for r in results),
                   results[0]["generated_ids"].__len__(), results[0].get("forced_tokens"),
                   statistics.median(r.get("constraint_seconds") or 0 for r in results))
print("| generation | tokens | forced | tokens/s (median) | constraint s | vs free |")
print("| --- | --- | --- | --- | --- | --- |")
for label, (tps, n, forced, mask) in rows.items():
    print(f"| {label} | {n} | {forced if forced is not None else '-'} | {tps:.2f} | {mask:.3f} | {tps / rows['free'][0]:.2f}x |")
EOF_PY
