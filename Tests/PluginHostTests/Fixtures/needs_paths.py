#!/usr/bin/python3
"""An MCP server that needs paths outside its own folder at start-up (Loom's plugin-host tests): the
config file named by its first argument, if any, and the module `helper` from the manifest's PYTHONPATH.
Without grants for them the sandbox hides both, and start-up fails as a real server's would."""
import json
import sys

if len(sys.argv) > 1:
    with open(sys.argv[1]) as config:
        config.read()

import helper  # noqa: E402

for line in sys.stdin:
    request = json.loads(line)
    if "id" not in request:
        continue
    if request["method"] == "initialize":
        result = {"protocolVersion": "2025-03-26", "capabilities": {"tools": {}},
                  "serverInfo": {"name": "needs-paths", "version": "1.0.0"}}
    else:
        result = {"tools": [{"name": "answer", "description": helper.DESCRIPTION, "inputSchema": {"type": "object"}}]}
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}) + "\n")
    sys.stdout.flush()
