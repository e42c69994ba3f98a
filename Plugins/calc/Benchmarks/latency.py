#!/usr/bin/env python3
"""Warm-call latency of the calc plugin over MCP (stdio), measured with a blocking client.

Usage: python3 Plugins/calc/Benchmarks/latency.py [path/to/calc] [calls per expression]

Starts calc, performs the MCP handshake, warms up with one call, then times `calls` calls of each
simple expression below and prints p50/p90/max per tool call, end to end (request written to the
plugin's stdin until the response line is read from its stdout).
"""
import json
import subprocess
import sys
import time

CALLS = [
    ("evaluate", {"expression": "1+2*3"}),
    ("evaluate", {"expression": "2^100 + 1/3"}),
    ("differentiate", {"expression": "x^2*exp(x)"}),
    ("solve", {"equation": "x^2-5*x+6=0"}),
]


def main():
    executable = sys.argv[1] if len(sys.argv) > 1 else ".build/release/calc"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    plugin = subprocess.Popen([executable], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, bufsize=1)
    next_id = [0]

    def request(method, params):
        next_id[0] += 1
        plugin.stdin.write(json.dumps({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params}) + "\n")
        plugin.stdin.flush()
        while True:
            message = json.loads(plugin.stdout.readline())
            if message.get("id") == next_id[0]:
                return message

    request("initialize", {"protocolVersion": "2025-03-26", "capabilities": {},
                           "clientInfo": {"name": "calc-latency", "version": "0"}})
    plugin.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    plugin.stdin.flush()
    request("tools/call", {"name": "evaluate", "arguments": {"expression": "1+1"}})
    for tool, arguments in CALLS:
        times = []
        for _ in range(count):
            start = time.perf_counter()
            reply = request("tools/call", {"name": tool, "arguments": arguments})
            times.append((time.perf_counter() - start) * 1000)
            assert not reply["result"].get("isError"), reply
        times.sort()
        print("%-14s %-32s p50 %6.2f ms  p90 %6.2f ms  max %6.2f ms" % (
            tool, json.dumps(arguments)[:32], times[len(times) // 2], times[len(times) * 9 // 10], times[-1]))
    plugin.stdin.close()
    plugin.wait()


if __name__ == "__main__":
    main()
