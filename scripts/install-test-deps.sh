#!/usr/bin/env bash
# Creates the Python environment the tests use (SymPy to check calc's answers, the third-party MCP server
# mcp-server-time to register as a plugin). Idempotent: does nothing when everything is in place.
set -euo pipefail

LOOM_HOME="${LOOM_HOME:-$HOME/.cache/loom}"
venv="$LOOM_HOME/venvs/test"
requirements=(sympy==1.14.0 mcp-server-time)

if [ ! -x "$venv/bin/python3" ]; then
  echo "loom: creating test Python environment in $venv"
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python3" -c "import sympy, mcp_server_time" 2>/dev/null; then
  echo "loom: installing ${requirements[*]} into $venv"
  "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
fi
