#!/usr/bin/env bash
# Time to first token and generation speed through `loom serve` against `loom generate` in-process, on the
# same long prompt, same model and threads, taking turns.
#
#   Benchmarks/serve-vs-in-process.sh [runs] [model] [max-tokens]     (defaults: 5, qwen2.5-coder-0.5b-instruct, 64)
#
# The prompt is the first 6,000 characters of docs/ARCHITECTURE.md and a request to summarise it, asked as
# one user turn with a system turn that differs from run to run (so that neither side reuses a cached
# prefix: both read the whole prompt every time). In-process: `loom generate --chat --json`, time to first
# token = its prompt seconds (the prompt's forward pass gives the first token's logits), tokens/s = its
# generated tokens / generation seconds. Through the server: a streamed
# chat completion (stdlib HTTP client), time to first token = from sending the request to the first
# content delta; tokens/s = (completion tokens - 1) / (last delta - first delta). Greedy on both sides, so
# both write the same tokens. Prints each pair and the medians with their ratio. Set LOOM to use another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
model=${2:-qwen2.5-coder-0.5b-instruct}
max_tokens=${3:-64}
loom=${LOOM:-.build/release/loom}
[ -x "$loom" ] || { echo "build first: swift build -c release (or set LOOM)" >&2; exit 1; }
. "$(dirname "$0")/start-serve.sh"
prompt="$(head -c 6000 docs/ARCHITECTURE.md)

Summarise the text above in three sentences."
export base id prompt max_tokens
for run in $(seq "$runs"); do
    system="Run $run of the comparison. You are a helpful assistant."
    "$loom" generate --model "$model" --threads 2 --chat --system "$system" --max-tokens "$max_tokens" --json "$prompt" \
        | python3 -c 'import json, sys; o = json.load(sys.stdin); n = len(o["generated_ids"])
print("in-process", len(o["prompt_ids"]), n, o["prompt_seconds"], o["tokens_per_second"])' >> "$work/pairs"
    SYSTEM="$system" python3 - >> "$work/pairs" <<'PY'
import json, os, time, urllib.request
body = {"model": os.environ["id"], "stream": True, "temperature": 0, "max_tokens": int(os.environ["max_tokens"]),
        "stream_options": {"include_usage": True},
        "messages": [{"role": "system", "content": os.environ["SYSTEM"]}, {"role": "user", "content": os.environ["prompt"]}]}
request = urllib.request.Request(os.environ["base"] + "/v1/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
start = time.monotonic(); first = last = None; usage = None
with urllib.request.urlopen(request) as response:
    for line in response:
        line = line.decode().strip()
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        chunk = json.loads(line[6:])
        if chunk.get("usage"):
            usage = chunk["usage"]
        if any(c.get("delta", {}).get("content") for c in chunk.get("choices", [])):
            now = time.monotonic()
            first = first or now
            last = now
n = usage["completion_tokens"]
print("server", usage["prompt_tokens"], n, first - start, (n - 1) / (last - first) if n > 1 and last > first else 0)
PY
done
python3 - "$work/pairs" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for side, prompt, n, ttft, speed in rows:
    print(f"{side:10}  prompt {prompt:>5} tokens  generated {n:>3}  first token {float(ttft):6.2f} s  {float(speed):6.2f} tokens/s")
sides = {side: [(float(r[3]), float(r[4])) for r in rows if r[0] == side] for side in ("in-process", "server")}
m = {side: (statistics.median(t for t, _ in v), statistics.median(s for _, s in v)) for side, v in sides.items()}
print(f"median first token: in-process {m['in-process'][0]:.2f} s, server {m['server'][0]:.2f} s (server/in-process {m['server'][0] / m['in-process'][0]:.3f})")
print(f"median tokens/s:    in-process {m['in-process'][1]:.2f}, server {m['server'][1]:.2f} (server/in-process {m['server'][1] / m['in-process'][1]:.3f})")
PY
