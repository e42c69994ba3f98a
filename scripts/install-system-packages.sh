#!/usr/bin/env bash
# Installs the Debian packages Loom builds and runs with. Idempotent and quiet when all are present.
set -euo pipefail

packages=(
  pkg-config
  libopenblas-dev        # Kernels: cblas_sgemm for prefill
  libcurl4-openssl-dev   # web-fetch: HTTP(S)
  libgumbo-dev           # web-fetch: HTML5 parsing
  libgiac-dev            # calc: the Giac computer-algebra engine
  bubblewrap             # sandbox for every plugin and for code-runner
  util-linux             # prlimit for sandbox resource limits
  python3 python3-venv python3-pip  # model pulls (pip download); code-runner's Python; test helpers
  python3-sympy python3-numpy       # code-runner: symbolic and numeric Python inside the sandbox
  curl                   # tests: an HTTP client outside Loom for the evaluation sites
  nodejs                 # tests: an npm-style MCP server run from node_modules/.bin
  chromium               # tests: loom trace html pages rendered in a headless browser
)
if [ "${1:-}" = "--print" ]; then printf '%s\n' "${packages[@]}"; exit 0; fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "loom: installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
