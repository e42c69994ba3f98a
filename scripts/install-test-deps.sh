#!/usr/bin/env bash
# Creates the Python environments the tests use. Idempotent: does nothing when everything is in place.
#   venvs/test      SymPy, which checks the calc plugin's answers (first on PATH while tests run), and the
#                   official openai client, which the serving tests point at `loom serve`, and the
#                   MCP Python SDK, which serves the tests' MCP server over HTTP, and websocket-client,
#                   which drives headless Chromium over its DevTools protocol
#   venvs/mcp-time  the third-party MCP server mcp-server-time, registered as a plugin by the tests
# Both are made with Debian's /usr/bin/python3 so that sandboxed plugins can run them (the sandbox shows
# /usr but not a Python installed under a home directory).
set -euo pipefail

LOOM_HOME="${LOOM_HOME:-$HOME/.cache/loom}"
python=/usr/bin/python3

make_venv() { # dir import-check requirements...
  local dir="$1" check="$2"
  shift 2
  if [ ! -x "$dir/bin/python3" ]; then
    echo "loom: creating Python environment $dir"
    "$python" -m venv "$dir"
  fi
  if ! "$dir/bin/python3" -c "import $check" 2>/dev/null; then
    echo "loom: installing $* into $dir"
    "$dir/bin/python3" -m pip install --quiet --disable-pip-version-check "$@"
  fi
}

make_venv "$LOOM_HOME/venvs/test" "sympy, mcp.server.mcpserver, uvicorn" sympy==1.14.0 mcp==2.3.0
make_venv "$LOOM_HOME/venvs/test" openai openai==3.51.0
make_venv "$LOOM_HOME/venvs/test" websocket websocket-client==1.8.0
make_venv "$LOOM_HOME/venvs/mcp-time" mcp_server_time mcp-server-time
