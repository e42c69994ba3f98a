# Sourced by the benchmarks that talk to `loom serve`: starts "$loom" serve on a free port of 127.0.0.1
# with "$model" on 2 threads, stops it on exit, and sets `work` (a scratch folder: the server's output in
# out and err), `base` (http://127.0.0.1:PORT) and `id` (the first served model's id).
work=$(mktemp -d)
"$loom" serve --port 0 --model "$model" --threads 2 > "$work/out" 2> "$work/err" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 600); do
    grep -q "listening on" "$work/out" && break
    kill -0 $server 2>/dev/null || { cat "$work/err" >&2; exit 1; }
    sleep 0.1
done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/out" | head -1)
[ -n "$base" ] || { echo "the server did not start" >&2; cat "$work/err" >&2; exit 1; }
id=$(curl -s "$base/v1/models" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
