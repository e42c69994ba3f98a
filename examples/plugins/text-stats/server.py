#!/usr/bin/env python3
"""text-stats: a complete Loom plugin in Python with no dependencies.

A Loom plugin is any executable that speaks the Model Context Protocol (MCP) over stdio: one JSON-RPC 2.0
message per line on stdin, one per line on stdout, logs on stderr. Three methods matter:
initialize, tools/list and tools/call. (With the `mcp` package from PyPI the same server is a few lines of
FastMCP; this file shows the protocol itself.)
"""
import collections
import json
import re
import sys

PROTOCOL_VERSION = "2025-03-26"

TOOLS = [
    {
        "name": "word_count",
        "description": 'Count words, lines and characters of a text. Example: {"text": "two words"}',
        "inputSchema": {
            "type": "object",
            "properties": {"text": {"type": "string", "description": "The text to measure."}},
            "required": ["text"],
            "additionalProperties": False,
        },
    },
    {
        "name": "top_words",
        "description": 'The most frequent words of a text, case-insensitive. Example: {"text": "a b a", "n": 1}',
        "inputSchema": {
            "type": "object",
            "properties": {
                "text": {"type": "string", "description": "The text to analyse."},
                "n": {"type": "integer", "minimum": 1, "maximum": 50, "description": "How many words (default 5)."},
            },
            "required": ["text"],
            "additionalProperties": False,
        },
    },
]


class ToolError(Exception):
    """A failure the model should read: it becomes a result with isError: true."""


def word_count(args):
    text = args.get("text")
    if not isinstance(text, str):
        raise ToolError("argument 'text' must be a string")
    stats = {"words": len(text.split()), "lines": len(text.splitlines()), "characters": len(text)}
    return "%(words)d words, %(lines)d lines, %(characters)d characters" % stats, stats


def top_words(args):
    text = args.get("text")
    n = args.get("n", 5)
    if not isinstance(text, str):
        raise ToolError("argument 'text' must be a string")
    if not isinstance(n, int) or not 1 <= n <= 50:
        raise ToolError("argument 'n' must be an integer from 1 to 50")
    counts = collections.Counter(re.findall(r"[\w']+", text.lower())).most_common(n)
    return ", ".join("%s (%d)" % pair for pair in counts), {"words": [{"word": w, "count": c} for w, c in counts]}


HANDLERS = {"word_count": word_count, "top_words": top_words}


def handle(request):
    """Returns the JSON-RPC result for a request, or raises LookupError for an unknown method."""
    method, params = request.get("method"), request.get("params") or {}
    if method == "initialize":
        return {"protocolVersion": PROTOCOL_VERSION, "capabilities": {"tools": {}},
                "serverInfo": {"name": "text-stats", "version": "1.0.0"}}
    if method == "tools/list":
        return {"tools": TOOLS}
    if method == "tools/call":
        handler = HANDLERS.get(params.get("name"))
        if handler is None:
            return {"content": [{"type": "text", "text": "unknown tool %r" % params.get("name")}], "isError": True}
        try:
            text, structured = handler(params.get("arguments") or {})
            return {"content": [{"type": "text", "text": text}], "structuredContent": structured, "isError": False}
        except ToolError as error:
            return {"content": [{"type": "text", "text": str(error)}], "isError": True}
    if method == "ping":
        return {}
    raise LookupError(method)


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError:
            print("text-stats: ignoring a line that is not JSON", file=sys.stderr)
            continue
        if "id" not in request:
            continue  # a notification, e.g. notifications/initialized
        try:
            reply = {"jsonrpc": "2.0", "id": request["id"], "result": handle(request)}
        except LookupError as error:
            reply = {"jsonrpc": "2.0", "id": request["id"],
                     "error": {"code": -32601, "message": "method not found: %s" % error}}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
