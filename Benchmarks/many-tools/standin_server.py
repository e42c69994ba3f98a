#!/usr/bin/python3
"""An MCP server over stdio that lists one stand-in plugin's tools (standin_tools.json) and has no data.

Usage: standin_server.py PLUGIN. Every tool call answers with isError: the server exists so that Loom's
prompt and tool retrieval see as many registered tools as a user with several MCP servers would have.
Standard library only, so it runs in the plugin sandbox without a virtual environment.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = sys.argv[1]
with open(os.path.join(HERE, "standin_tools.json")) as f:
    TOOLS = [
        {
            "name": name,
            "description": description,
            "inputSchema": {
                "type": "object",
                "properties": {key: {"type": "string", "description": about} for key, about in params.items()},
                "required": list(params)[:1],
            },
        }
        for name, description, params in json.load(f)["plugins"][PLUGIN]
    ]


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    try:
        request = json.loads(line)
    except ValueError:
        continue
    if "id" not in request:
        continue  # a notification
    method, ident = request.get("method"), request["id"]
    if method == "initialize":
        version = request.get("params", {}).get("protocolVersion", "2025-06-18")
        send({"jsonrpc": "2.0", "id": ident, "result": {
            "protocolVersion": version, "capabilities": {"tools": {}},
            "serverInfo": {"name": PLUGIN, "version": "0.0.1"}}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": ident, "result": {"tools": TOOLS}})
    elif method == "tools/call":
        name = request.get("params", {}).get("name", "")
        send({"jsonrpc": "2.0", "id": ident, "result": {
            "content": [{"type": "text", "text": f"{PLUGIN}.{name}: this stand-in plugin has no data"}],
            "isError": True}})
    elif method == "ping":
        send({"jsonrpc": "2.0", "id": ident, "result": {}})
    else:
        send({"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": f"unknown method {method}"}})
