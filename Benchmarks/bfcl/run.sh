#!/usr/bin/env bash
# BFCL (the Berkeley Function-Calling Leaderboard's data and AST checker, from the `bfcl-eval` package on
# PyPI) against `loom serve`.
#
#   Benchmarks/bfcl/run.sh [model] [cases-per-category] [categories]
#       defaults: qwen2.5-coder-1.5b-instruct, 25, simple,multiple,parallel,parallel_multiple,irrelevance,live_simple
#
# Makes a Python environment under $LOOM_HOME/venvs/bfcl (openai, and bfcl-eval without its provider
# SDKs: only its data and checker are used), starts `loom serve` on a free port of 127.0.0.1 with the
# model on 2 threads, and runs bfcl_loom.py: a seeded sample of each category, scored by BFCL's checker.
# Results per case go to bfcl-<model>.json in the current directory. Set LOOM to use another binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
model=${1:-qwen2.5-coder-1.5b-instruct}
per=${2:-25}
categories=${3:-simple,multiple,parallel,parallel_multiple,irrelevance,live_simple}
loom=${LOOM:-$root/.build/release/loom}
[ -x "$loom" ] || { echo "build first: swift build -c release (or set LOOM)" >&2; exit 1; }
venv=${LOOM_HOME:-$HOME/.cache/loom}/venvs/bfcl
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import bfcl_eval, openai' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q openai
    "$venv/bin/pip" install -q --no-deps bfcl-eval==2026.3.23
fi
. "$here/../start-serve.sh"
"$venv/bin/python" "$here/bfcl_loom.py" --base-url "$base/v1" --model "$id" --per-category "$per" \
    --categories "$categories" --out "bfcl-$id.json" 2> "bfcl-$id.log"
