#!/usr/bin/env bash
# Answer accuracy and prompt size with Loom's 3 built-in plugins (14 tools, every one shown) against the
# same 3 plus 7 stand-in plugins (60 tools, the prompt shows those tool retrieval picks for the question).
#
#   Benchmarks/many-tools/run.sh [questions.jsonl] [model] [threads]
#       defaults: evals/questions.jsonl, qwen2.5-coder-1.5b-instruct, 2
#
# Every question is asked by the `general` agent (plan-then-execute over every registered plugin). The
# stand-ins (standin_server.py, tools in standin_tools.json) list realistic tools and answer every call
# with an error. Writes many-tools-14.json and many-tools-60.json (`loom eval --json` reports) and the
# traces under many-tools-traces/ in the current directory, then prints `loom eval --compare` and the
# plan call's prompt tokens in each run. Set LOOM to use another binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
questions=${1:-$root/evals/questions.jsonl}
model=${2:-qwen2.5-coder-1.5b-instruct}
threads=${3:-2}
loom=${LOOM:-$root/.build/release/loom}
[ -x "$loom" ] || { echo "build first: swift build -c release (or set LOOM)" >&2; exit 1; }

standins=$(mktemp -d)
trap 'rm -rf "$standins"' EXIT
for plugin in $(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["plugins"]))' "$here/standin_tools.json"); do
    mkdir "$standins/$plugin"
    cp "$here/standin_server.py" "$here/standin_tools.json" "$standins/$plugin/"
    printf '{"name": "%s", "version": "0.0.1", "description": "Stand-in %s server (no data).", "command": ["./standin_server.py", "%s"], "sandbox": {"network": false, "filesystem": "none", "cpu_seconds": 10, "memory_mb": 256, "wall_seconds": 20, "max_output_bytes": 65536}}\n' \
        "$plugin" "$plugin" "$plugin" > "$standins/$plugin/manifest.json"
done
cp "$root/Plugins/manifest.schema.json" "$standins/"

run() {  # tools, plugin folders
    LOOM_PLUGINS_DIR=$2 "$loom" eval "$questions" --agent "$root/Agents/general.yaml" --model "$model" --threads "$threads" \
        --traces "many-tools-traces/$1" --json > "many-tools-$1.json"
}
run 14 "$root/Plugins"
run 60 "$root/Plugins:$standins"
"$loom" eval --compare many-tools-14.json many-tools-60.json
python3 - <<'PY'
import glob, json, statistics
for tools in ("14", "60"):
    plan, selected = [], []
    for path in glob.glob(f"many-tools-traces/{tools}/*.jsonl"):
        for line in open(path):
            record = json.loads(line)
            if record.get("type") == "model_call" and record["model_call"]["purpose"] == "plan":
                plan.append(len(record["model_call"]["completion"]["promptTokens"]))
                break
        for line in open(path):
            record = json.loads(line)
            if record.get("type") == "tool_selection":
                selected.append(len(record["selected"]))
    if not plan:
        print(f"{tools} tools: no plan calls in the traces"); continue
    shown = f", tools shown median {statistics.median(selected)} (max {max(selected)})" if selected else ""
    print(f"{tools} tools: plan prompt tokens median {statistics.median(plan)} (min {min(plan)}, max {max(plan)}) over {len(plan)} questions{shown}")
PY
