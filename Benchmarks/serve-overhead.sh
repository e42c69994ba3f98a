#!/usr/bin/env bash
# What `loom serve` adds to a generation: HTTP, JSON, the queue and the chat template, measured on
# requests whose model work is as small as it gets.
#
#   Benchmarks/serve-overhead.sh [requests] [model]      (defaults: 50, smollm2-135m-instruct)
#
# Starts `loom serve` on a free port of 127.0.0.1 and times with curl, one request after another:
#   health   GET /health (no model work: the server's floor);
#   models   GET /v1/models;
#   chat-1   POST /v1/chat/completions, the same short conversation each time, max_tokens 1: the prompt
#            is in the KV cache from the request before, so the model reads one token and writes one;
#   stream-1 the same with stream: true (server-sent events, usage chunk, [DONE]).
# Prints p50, p90 and max in milliseconds per kind, and the server's own per-request line for the last
# chat request. Set LOOM to use another loom binary.
set -euo pipefail
cd "$(dirname "$0")/.."

requests=${1:-50}
model=${2:-smollm2-135m-instruct}
loom=${LOOM:-.build/release/loom}
[ -x "$loom" ] || { echo "build first: swift build -c release (or set LOOM)" >&2; exit 1; }
. "$(dirname "$0")/start-serve.sh"
chat() {
    printf '{"model": "%s", "max_tokens": 1, "temperature": 0, "stream": %s, "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say yes."}]}' "$id" "$1"
}

time_kind() {  # kind, curl arguments…
    local kind=$1; shift
    curl -s -o /dev/null "$@"  # once untimed: the KV cache holds the prompt from here on
    for _ in $(seq "$requests"); do
        curl -s -o /dev/null -w '%{time_total}\n' "$@"
    done | python3 -c '
import sys
kind = sys.argv[1]
times = sorted(float(line) * 1000 for line in sys.stdin if line.strip())
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print(f"{kind:9} n={len(times):3}  p50 {pick(0.5):7.2f} ms  p90 {pick(0.9):7.2f} ms  max {times[-1]:7.2f} ms")
' "$kind"
}

echo "loom serve, model $id, $requests requests per kind, one at a time"
time_kind health "$base/health"
time_kind models "$base/v1/models"
time_kind chat-1 -H 'Content-Type: application/json' -d "$(chat false)" "$base/v1/chat/completions"
time_kind stream-1 -N -H 'Content-Type: application/json' -d "$(chat true)" "$base/v1/chat/completions"
echo "server's line for the last request:"
tail -1 "$work/err"
