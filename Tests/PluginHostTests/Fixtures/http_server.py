"""An MCP server over Streamable HTTP on 127.0.0.1, built with the `mcp` SDK from PyPI (Loom's plugin-host
tests).

Usage: http_server.py PORT MODE. MODE is `sse` (answers as event streams), `json` (answers as one JSON
object) or `legacy` (the older HTTP+SSE transport of 2024-11-05 at /sse: a GET stream names the endpoint
to POST to, and every answer comes in that stream). When LOOM_TEST_HTTP_TOKEN is set, every request needs `Authorization: Bearer <token>`.
Tools:
  echo {text}             returns text
  chatty {text}           sends log and progress notifications before it answers with text
  session {}              returns the Mcp-Session-Id header the client sent with this call
  sleep {seconds}         answers after that many seconds
  big {kilobytes}         returns that many KiB of 'x'
  ping_back {}            pings the client on the server's standalone stream (the one a client opens
                          with GET, not this call's) and answers "pong" once the client has answered
"""
import asyncio
import os
import sys
import warnings

import mcp.types as types
import uvicorn
from mcp.server.mcpserver import Context, MCPServer

PORT = int(sys.argv[1])
MODE = sys.argv[2]
TOKEN = os.environ.get("LOOM_TEST_HTTP_TOKEN", "")

warnings.simplefilter("ignore")  # the SDK's deprecation notes about logging are not the test's business
server = MCPServer("loom-http-fixture", version="1.0.0")


@server.tool()
def echo(text: str) -> str:
    """Returns its text."""
    return text


@server.tool()
async def chatty(text: str, ctx: Context) -> str:
    """Sends notifications about its work, then returns its text."""
    await ctx.info("working on it")
    await ctx.report_progress(1, 2, "half way")
    return text


@server.tool()
def session(ctx: Context) -> str:
    """Returns the session id the client sent with this call."""
    return (ctx.headers or {}).get("mcp-session-id", "none")


@server.tool()
async def sleep(seconds: float) -> str:
    """Answers after a while."""
    await asyncio.sleep(seconds)
    return "slept"


@server.tool()
def big(kilobytes: int) -> str:
    """Returns a long text."""
    return "x" * (kilobytes * 1024)


@server.tool()
async def ping_back(ctx: Context) -> str:
    """Pings the client outside this call's stream and says when it answered."""
    await asyncio.wait_for(ctx.session.send_request(types.PingRequest(), types.EmptyResult), timeout=20)
    return "pong"


def require_token(app):
    """Refuses HTTP requests without the bearer token (when one is set)."""
    async def guarded(scope, receive, send):
        if scope["type"] == "http" and TOKEN:
            headers = dict(scope["headers"])
            if headers.get(b"authorization") != f"Bearer {TOKEN}".encode():
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b"missing or wrong bearer token"})
                return
        await app(scope, receive, send)
    return guarded


if MODE == "legacy":
    app = server.sse_app(host="127.0.0.1")
else:
    app = server.streamable_http_app(json_response=(MODE == "json"), host="127.0.0.1")
uvicorn.run(require_token(app), host="127.0.0.1", port=PORT, log_level="warning")
