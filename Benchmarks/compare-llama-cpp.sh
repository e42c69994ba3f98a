#!/usr/bin/env bash
# Loom against llama.cpp on the same GGUF files and thread counts, in one run, as ratios.
#
#   Benchmarks/compare-llama-cpp.sh /path/to/llama-bench [model ...]
#
# llama-bench is not part of Loom: build it yourself from a llama.cpp checkout (a Release CPU build).
# Models are names from `loom models list` (default: the two Qwen2.5-Coder models); each is pulled
# and verified first. Both tools run pp512 and tg128 at 1 and 2 threads, 3 repetitions, one after
# the other on the same idle machine. Set LOOM to use another loom binary; set DEPTH (e.g. 2048) to
# also run both at that many tokens already in the KV cache (llama-bench -d, loom bench --depth).
set -euo pipefail

llama_bench=${1:?usage: $0 /path/to/llama-bench [model ...]}
shift
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(qwen2.5-coder-0.5b-instruct qwen2.5-coder-1.5b-instruct)
loom=${LOOM:-}
if [ -z "$loom" ]; then
    swift build -c release --product loom >&2
    loom="$(swift build -c release --show-bin-path)/loom"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for model in "${models[@]}"; do
    file=$("$loom" models pull "$model" >&2 && "$loom" models path "$model")
    echo "== $model ($file)" >&2
    for depth in 0 ${DEPTH:-}; do
    "$loom" bench --model "$file" --threads 1,2 -p 512 -n 128 -r 3 --depth "$depth" --json > "$work/loom.json"
    "$llama_bench" -m "$file" -t 1,2 -p 512 -n 128 -r 3 -d "$depth" -o json > "$work/llama.json" 2>/dev/null
    python3 - "$model" "$work/loom.json" "$work/llama.json" <<'EOF'
import json, sys
model, loom_path, llama_path = sys.argv[1:]
loom = {(r["test"], r["threads"]): r["tokensPerSecond"] for r in json.load(open(loom_path))["results"]}
llama = {}
for r in json.load(open(llama_path)):
    test = f"pp{r['n_prompt']}" if r["n_prompt"] else f"tg{r['n_gen']}"
    if r.get("n_depth", 0):
        test += f" @ d{r['n_depth']}"
    llama[(test, r["n_threads"])] = r["avg_ts"]
print(f"| {model} | test | threads | Loom tok/s | llama.cpp tok/s | ratio |")
print("| --- | --- | --- | --- | --- | --- |")
for key in sorted(loom, key=lambda k: (k[1], k[0])):
    if key in llama:
        print(f"| | {key[0]} | {key[1]} | {loom[key]:.1f} | {llama[key]:.1f} | {loom[key] / llama[key]:.2f}x |")
EOF
    done
done
