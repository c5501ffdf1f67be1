#!/usr/bin/env bash
# Fetch what the Pyodide harness (tests/lite/) needs, into a cache outside the repository:
#   $XLSBRIDGE_CACHE (default ~/.cache/xlsbridge)/pyodide-<version>/node_modules/pyodide   (npm)
#   $XLSBRIDGE_CACHE/wasm-wheels-<abi>/*.whl   (pip download, the WebAssembly wheels of our dependencies)
#   $XLSBRIDGE_CACHE/micropip/micropip-*.whl      (pip download: Pyodide's installer, as xlwings Lite uses it)
# Makes sure Node >= 18 and npm exist first (Debian's nodejs and npm when missing and we are root).
# Each step is skipped when its result is already in the cache, so a second run costs nothing.
# Prints the two folders, one per line, for the caller (tests read the same defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
PYODIDE_VERSION="${PYODIDE_VERSION:-314.0.8}"
ABI="pyemscripten_2026_0_wasm32"
CACHE="${XLSBRIDGE_CACHE:-$HOME/.cache/xlsbridge}"
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3

node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1 || [ "$(node_major)" -lt 18 ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
fi
if ! command -v node >/dev/null 2>&1 || [ "$(node_major)" -lt 18 ]; then
  echo "pyodide-setup: Node.js 18 or later is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
command -v npm >/dev/null 2>&1 || { echo "pyodide-setup: npm is needed" >&2; exit 1; }

NODE_DIR="$CACHE/pyodide-$PYODIDE_VERSION"
if [ ! -f "$NODE_DIR/node_modules/pyodide/package.json" ]; then
  mkdir -p "$NODE_DIR"
  ( cd "$NODE_DIR" && [ -f package.json ] || echo '{"private": true}' > package.json
    npm install --no-audit --no-fund --loglevel=error "pyodide@$PYODIDE_VERSION" >&2 )
fi

# xlsbridge's dependencies (pyproject.toml), as xlwings Lite would install them; the list is the
# marker's content, so a changed list downloads again.
PACKAGES='openpyxl python-calamine xlwings==0.37.8 pydantic>=2.5,<3 click jpholiday packaging'
WHEELS="$CACHE/wasm-wheels-$ABI"
if [ "$(cat "$WHEELS/.complete" 2>/dev/null)" != "$PACKAGES" ]; then
  mkdir -p "$WHEELS"
  # shellcheck disable=SC2086  # one word per package
  "$PY" -m pip download -q --only-binary :all: --platform "$ABI" --platform any \
    --python-version 3.14 --implementation cp --abi cp314 --abi abi3 --abi none -d "$WHEELS" $PACKAGES >&2
  printf '%s' "$PACKAGES" > "$WHEELS/.complete"
fi
MICROPIP_VERSION="${MICROPIP_VERSION:-0.11.1}"
MICROPIP="$CACHE/micropip"
if ! ls "$MICROPIP"/micropip-"$MICROPIP_VERSION"-*.whl >/dev/null 2>&1; then
  mkdir -p "$MICROPIP"
  "$PY" -m pip download -q --no-deps --only-binary :all: --platform any --python-version 3.14 \
    --implementation py -d "$MICROPIP" "micropip==$MICROPIP_VERSION" >&2
fi
echo "$NODE_DIR"
echo "$WHEELS"
echo "$MICROPIP"
