#!/usr/bin/env bash
# How often the default agent's routing call sends a question to the agent the evaluation set names for it.
#
#   Benchmarks/routing/run.sh [questions.jsonl] [model]
#       defaults: evals/questions.jsonl (the development set), qwen2.5-coder-1.5b-instruct
#
# Only the routing call runs (`loom agents route`), not the agents. Set LOOM to use another binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
loom=${LOOM:-$root/.build/release/loom}
[ -x "$loom" ] || { echo "build first: swift build -c release (or set LOOM)" >&2; exit 1; }
python3 "$here/route_eval.py" "$loom" "${1:-$root/evals/questions.jsonl}" "${2:-qwen2.5-coder-1.5b-instruct}" "$root/Agents/default.yaml"
