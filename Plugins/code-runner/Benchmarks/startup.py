#!/usr/bin/env python3
"""Sandbox start-up benchmark for code-runner: p50/p90 of `run_python(print(1))`.

Usage: startup.py PATH/TO/code-runner [RUNS]

Talks MCP over stdio to the plugin, runs `print(1)` RUNS times (default 30) and reports two numbers:
`wall_ms` as code-runner measures it (spawn of setpriv+bwrap until the sandbox is reaped: namespace and
mount setup, prlimit, python3 start-up, print, teardown) and the full tool-call round trip seen by the client.
Reports numbers; asserts nothing (tests live in Plugins/code-runner/Tests).
"""
import json
import statistics
import subprocess
import sys
import time


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    plugin = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def request(identifier, method, params):
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if identifier is not None:
            message["id"] = identifier
        plugin.stdin.write((json.dumps(message) + "\n").encode())
        plugin.stdin.flush()
        return json.loads(plugin.stdout.readline()) if identifier is not None else None

    request(0, "initialize", {"protocolVersion": "2025-03-26", "capabilities": {},
                              "clientInfo": {"name": "startup-benchmark", "version": "0"}})
    request(None, "notifications/initialized", {})
    sandbox, round_trip = [], []
    for index in range(runs + 1):
        started = time.perf_counter()
        reply = request(index + 1, "tools/call", {"name": "run_python", "arguments": {"code": "print(1)"}})
        elapsed = (time.perf_counter() - started) * 1000
        result = reply["result"]["structuredContent"]
        if result["stdout"] != "1\n":
            sys.exit(f"unexpected result: {reply}")
        if index > 0:  # the first call also probes the sandbox
            sandbox.append(result["wall_ms"])
            round_trip.append(elapsed)
    plugin.stdin.close()
    plugin.wait()

    def summary(values):
        ordered = sorted(values)
        return f"p50 {statistics.median(ordered):.0f} ms, p90 {ordered[int(len(ordered) * 0.9) - 1]:.0f} ms"

    print(f"runs: {runs}")
    print(f"sandbox start + print(1) (wall_ms): {summary(sandbox)}")
    print(f"tool call round trip:               {summary(round_trip)}")


if __name__ == "__main__":
    main()
